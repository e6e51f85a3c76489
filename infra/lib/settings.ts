/**
 * The CDK app's parameters, read from CDK context (`cdk.json`, `-c key=value`)
 * and validated together, like src/config: one error lists every bad value.
 * docs/deploy.md documents each one.
 */
export interface Settings {
  /** ECR repository (name in this account and region) holding the API image. */
  imageRepository: string;
  /** The image tag to run; a new tag re-runs the migrations before it serves. */
  imageTag: string;
  /** The CPU architecture the image was built for (`docker build --platform`). */
  cpuArchitecture: 'x86_64' | 'arm64';
  /** `postgres`: a Multi-AZ RDS for PostgreSQL instance; `aurora`: an Aurora PostgreSQL cluster (writer + reader). */
  dbEngine: 'postgres' | 'aurora';
  /** Instance class without the `db.` prefix, e.g. `t4g.medium`, `r7g.large`. */
  dbInstanceClass: string;
  /** RDS for PostgreSQL only: initial and maximum (storage autoscaling) size. */
  dbAllocatedStorageGiB: number;
  dbMaxAllocatedStorageGiB: number;
  dbBackupRetentionDays: number;
  /** Aurora only: a read-only RDS Proxy endpoint over the readers, passed to the API as DATABASE_READ_URL. */
  readReplica: boolean;
  natGateways: number;
  apiCpu: number;
  apiMemoryMiB: number;
  apiDesiredCount: number;
  apiMinCount: number;
  apiMaxCount: number;
  apiCpuTargetPercent: number;
  apiRequestsPerTarget: number;
  /** ACM certificate for the HTTPS listener; without it the ALB listens on HTTP only. */
  certificateArn: string | null;
  /** Origins allowed to PUT presigned uploads from a browser (S3 CORS). */
  corsOrigins: string[];
  eraseIdpUser: boolean;
  /** AUTH_GROUP_ROLES for the API and the Pre Token Generation trigger. */
  authGroupRoles: string | null;
  smsMfa: boolean;
  alarmEmail: string | null;
  /** An existing SNS topic for the alarms instead of a new one. */
  alarmTopicArn: string | null;
  /** Create a CloudTrail trail for management events (the EventBridge rule needs one in the account). */
  createTrail: boolean;
  logRetentionDays: number;
  triggerProvisionedConcurrency: number;
  /** EventBridge schedule expression for `media cleanup --apply`. */
  mediaCleanupSchedule: string;
  /** EventBridge schedule expression for `reconcile --fix` (docs/sync.md: daily). */
  reconcileSchedule: string;
}

export class SettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid CDK context:\n  - ${problems.join('\n  - ')}\n(see docs/deploy.md, "Context parameters")`);
    this.name = 'SettingsError';
  }
}

/** CloudWatch Logs' allowed retention periods, in days. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
const INSTANCE_CLASS = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const ECR_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const IMAGE_TAG = /^[\w][\w.-]{0,127}$/;
const ORIGIN = /^https?:\/\/[^/\s]+$/;
const ACM_ARN = /^arn:aws[\w-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/;
const SNS_ARN = /^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const SCHEDULE = /^(?:rate|cron)\(.+\)$/;
const GROUP_ROLES = /^[^\s,=]{1,128}=[a-z][a-z0-9_]{1,62}(?:,[^\s,=]{1,128}=[a-z][a-z0-9_]{1,62})*$/u;

/** Reads the settings through `get` (e.g. `key => app.node.tryGetContext(key)`); throws SettingsError. */
export function readSettings(get: (key: string) => unknown): Settings {
  const problems: string[] = [];
  const r = new ContextReader(get, problems);

  const dbEngine = r.oneOf('dbEngine', ['postgres', 'aurora'] as const, 'postgres');
  const settings: Settings = {
    imageRepository: r.matching('imageRepository', ECR_NAME, 'an ECR repository name', 'profile-service'),
    imageTag: r.required('imageTag', IMAGE_TAG, 'an image tag (e.g. the git commit)'),
    cpuArchitecture: r.oneOf('cpuArchitecture', ['x86_64', 'arm64'] as const, 'x86_64'),
    dbEngine,
    dbInstanceClass: r.matching('dbInstanceClass', INSTANCE_CLASS, 'an instance class like t4g.medium (no "db." prefix)', 't4g.medium'),
    dbAllocatedStorageGiB: r.integer('dbAllocatedStorageGiB', 50, 20, 65536),
    dbMaxAllocatedStorageGiB: r.integer('dbMaxAllocatedStorageGiB', 200, 20, 65536),
    dbBackupRetentionDays: r.integer('dbBackupRetentionDays', 14, 7, 35),
    readReplica: r.boolean('readReplica', false),
    natGateways: r.integer('natGateways', 2, 1, 2),
    apiCpu: r.oneOf('apiCpu', [256, 512, 1024, 2048, 4096] as const, 512),
    apiMemoryMiB: r.integer('apiMemoryMiB', 1024, 512, 30720),
    apiDesiredCount: r.integer('apiDesiredCount', 2, 1, 100),
    apiMinCount: r.integer('apiMinCount', 2, 1, 100),
    apiMaxCount: r.integer('apiMaxCount', 10, 1, 500),
    apiCpuTargetPercent: r.integer('apiCpuTargetPercent', 60, 10, 90),
    apiRequestsPerTarget: r.integer('apiRequestsPerTarget', 1000, 10, 100_000),
    certificateArn: r.optional('certificateArn', ACM_ARN, 'an ACM certificate ARN'),
    corsOrigins: r.list('corsOrigins', ORIGIN, 'origins like https://app.example.com (no path)'),
    eraseIdpUser: r.boolean('eraseIdpUser', false),
    authGroupRoles: r.optional('authGroupRoles', GROUP_ROLES, 'group=role pairs, comma-separated'),
    smsMfa: r.boolean('smsMfa', true),
    alarmEmail: r.optional('alarmEmail', EMAIL, 'an email address'),
    alarmTopicArn: r.optional('alarmTopicArn', SNS_ARN, 'an SNS topic ARN'),
    createTrail: r.boolean('createTrail', false),
    logRetentionDays: r.oneOf('logRetentionDays', LOG_RETENTION_DAYS, 90),
    triggerProvisionedConcurrency: r.integer('triggerProvisionedConcurrency', 0, 0, 100),
    mediaCleanupSchedule: r.matching('mediaCleanupSchedule', SCHEDULE, 'an EventBridge schedule expression, rate(…) or cron(…)', 'cron(30 3 * * ? *)'),
    reconcileSchedule: r.matching('reconcileSchedule', SCHEDULE, 'an EventBridge schedule expression, rate(…) or cron(…)', 'cron(0 4 * * ? *)'),
  };

  if (settings.readReplica && dbEngine === 'postgres') {
    problems.push('readReplica=true needs dbEngine=aurora: RDS Proxy fronts only the writer of an RDS instance (ADR 0004)');
  }
  if (settings.dbMaxAllocatedStorageGiB < settings.dbAllocatedStorageGiB) {
    problems.push('dbMaxAllocatedStorageGiB must be at least dbAllocatedStorageGiB');
  }
  if (!(settings.apiMinCount <= settings.apiDesiredCount && settings.apiDesiredCount <= settings.apiMaxCount)) {
    problems.push('apiMinCount <= apiDesiredCount <= apiMaxCount must hold');
  }
  if (settings.alarmEmail !== null && settings.alarmTopicArn !== null) {
    problems.push('alarmEmail and alarmTopicArn are alternatives: subscribe the address to your topic yourself');
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return settings;
}

class ContextReader {
  constructor(
    private readonly get: (key: string) => unknown,
    private readonly problems: string[],
  ) {}

  /** Context from `-c key=value` is a string; from cdk.json it may be typed. Empty means unset. */
  private raw(key: string): string | null {
    const value = this.get(key);
    if (value === undefined || value === null) return null;
    const text = String(value).trim();
    return text === '' ? null : text;
  }

  required(key: string, pattern: RegExp, what: string): string {
    const value = this.raw(key);
    if (value === null) {
      this.problems.push(`${key} is required: ${what} (-c ${key}=…)`);
      return '';
    }
    return this.check(key, value, pattern, what) ?? '';
  }

  optional(key: string, pattern: RegExp, what: string): string | null {
    const value = this.raw(key);
    return value === null ? null : this.check(key, value, pattern, what);
  }

  matching(key: string, pattern: RegExp, what: string, fallback: string): string {
    return this.optional(key, pattern, what) ?? fallback;
  }

  list(key: string, pattern: RegExp, what: string): string[] {
    const value = this.get(key);
    const items = Array.isArray(value) ? value.map(String) : (this.raw(key) ?? '').split(',');
    return items.map((item) => item.trim()).filter((item) => item !== '' && this.check(key, item, pattern, what) !== null);
  }

  integer(key: string, fallback: number, min: number, max: number): number {
    const value = this.raw(key);
    if (value === null) return fallback;
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      this.problems.push(`${key} must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return n;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.raw(key);
    if (value === null) return fallback;
    if (value === 'true' || value === 'false') return value === 'true';
    this.problems.push(`${key} must be true or false`);
    return fallback;
  }

  oneOf<T extends string | number>(key: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(key);
    if (value === null) return fallback;
    const found = allowed.find((a) => String(a) === value);
    if (found === undefined) {
      this.problems.push(`${key} must be one of ${allowed.join(', ')}`);
      return fallback;
    }
    return found;
  }

  private check(key: string, value: string, pattern: RegExp, what: string): string | null {
    if (pattern.test(value)) return value;
    this.problems.push(`${key} must be ${what}`);
    return null;
  }
}
