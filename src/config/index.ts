import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';

export type TokenUse = 'access' | 'id' | 'any';

export interface AuthConfig {
  userPoolId: string;
  region: string;
  /** Exact `iss` every token must carry; the Lambda handlers key identities on it too. */
  issuer: string;
  jwksUri: string;
  clientIds: readonly string[];
  tokenUse: TokenUse;
  /** True only when the operator explicitly allowed an `http://` issuer (local emulator). */
  allowInsecureIssuer: boolean;
  /** True when issuer/JWKS were derived from an AWS pool id (CognitoJwtVerifier applies). */
  isAwsPool: boolean;
}

export interface Config {
  http: { port: number; host: string; bodyLimitBytes: number };
  database: {
    /** `null`: run the embedded PostgreSQL server in `dataDir`. */
    url: string | null;
    readUrl: string | null;
    poolMax: number;
    /**
     * DATABASE_IAM_AUTH=true: connect with IAM authentication tokens (RDS
     * Proxy, RDS, Aurora) instead of a password, over verified TLS; `null`
     * when off. The URLs then carry a user but no password.
     */
    iamAuth: { region: string } | null;
  };
  dataDir: string;
  /** `null` when COGNITO_USER_POOL_ID is unset (commands that need no tokens). */
  auth: AuthConfig | null;
  /**
   * TRIGGER_ISSUER_FROM_EVENT=true: the Cognito triggers take the issuer from
   * the invoking pool in each event (ADR 0003); only when no pool is configured.
   */
  triggerIssuerFromEvent: boolean;
  cognito: { endpoint: string | null; region: string | null };
  jitProvisioning: boolean;
  eraseIdpUser: boolean;
  /** Shared secret of POST /internal/provision (the backend-event path); null: the route is off. */
  provisionSecret: string | null;
  s3: {
    bucket: string | null;
    region: string | null;
    endpoint: string | null;
    forcePathStyle: boolean;
    /** `AES256` (SSE-S3) is bound into every upload URL; `null` only when S3_SERVER_SIDE_ENCRYPTION=none. */
    serverSideEncryption: 'AES256' | null;
  };
  media: MediaConfig;
  access: AccessConfig;
  logLevel: string;
}

/** One `AUTH_GROUP_ROLES` entry: a token carrying `cognito:groups` ∋ group has the role's permissions (not stored). */
export interface GroupRole {
  group: string;
  role: string;
}

export interface AccessConfig {
  /** From `AUTH_GROUP_ROLES="admins=admin,support-team=support"`; empty when unset. */
  groupRoles: readonly GroupRole[];
}

export interface MediaConfig {
  /** Largest object accepted per kind, in bytes. */
  maxBytes: { photo: number; resume: number; document: number };
  /** Uploads requested but not completed yet, per user. */
  maxPendingPerUser: number;
  /** Items per user, pending and ready together. */
  maxItemsPerUser: number;
  /** Lifetime of a presigned upload URL. */
  uploadUrlSeconds: number;
  /** Lifetime of a presigned download URL. */
  downloadUrlSeconds: number;
}

export interface LoadConfigOptions {
  /**
   * `auth`: COGNITO_USER_POOL_ID and COGNITO_CLIENT_IDS must be present (the API).
   * `issuer`: only COGNITO_USER_POOL_ID (the Lambda handlers key users on the issuer).
   * `trigger-issuer`: COGNITO_USER_POOL_ID, or TRIGGER_ISSUER_FROM_EVENT=true (the Cognito triggers, ADR 0003).
   * `database`: DATABASE_URL must be set (no embedded server, e.g. in Lambda).
   */
  require?: readonly ('auth' | 'issuer' | 'trigger-issuer' | 'database')[];
}

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const AWS_POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d)_[0-9A-Za-z]+$/;
/** `….proxy-….eu-west-1.rds.amazonaws.com`, `….eu-west-1.rds.amazonaws.com.cn`: the region of an RDS endpoint. */
const RDS_HOST_REGION = /\.([a-z]{2}(?:-[a-z]+)+-\d)\.rds\.amazonaws\.com(?:\.cn)?$/;

/**
 * The issuer of an AWS user pool (`https://cognito-idp.{region}.amazonaws.com/{poolId}`),
 * or null when the id is not an AWS pool id. The one place this URL is built:
 * the API's verifier and the triggers must key users on the same string.
 */
export function awsPoolIssuer(userPoolId: string): { region: string; issuer: string } | null {
  const region = AWS_POOL_ID.exec(userPoolId)?.[1];
  return region === undefined ? null : { region, issuer: cognitoIssuer(region, userPoolId) };
}

function cognitoIssuer(region: string, userPoolId: string): string {
  return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
}
const LOCAL_POOL_ID = /^local_[0-9A-Za-z]+$/;
const CLIENT_ID = /^[\w+]{1,128}$/;

/**
 * Reads and validates the whole environment once. Every problem is collected
 * so that one start-up attempt reports all of them; the result is frozen.
 */
export function loadConfig(env: Env, options: LoadConfigOptions = {}): Config {
  const problems: string[] = [];
  const read = new EnvReader(env, problems);

  const http = {
    port: read.integer('PORT', 3000, 0, 65535),
    host: read.string('HOST') ?? '127.0.0.1',
    bodyLimitBytes: read.integer('BODY_LIMIT_BYTES', 1_048_576, 1024, 100 * 1024 * 1024),
  };
  const database = {
    url: read.postgresUrl('DATABASE_URL'),
    readUrl: read.postgresUrl('DATABASE_READ_URL'),
    poolMax: read.integer('DATABASE_POOL_MAX', 10, 1, 1000),
    iamAuth: null as { region: string } | null,
  };
  if (read.boolean('DATABASE_IAM_AUTH', false)) database.iamAuth = readIamAuth(read, problems, database.url, database.readUrl);
  const dataDir = resolve(read.string('DATA_DIR') ?? './.data');
  const allowInsecureIssuer = read.boolean('AUTH_ALLOW_INSECURE_ISSUER', false);
  const required = new Set(options.require ?? []);
  const triggerIssuerFromEvent = read.boolean('TRIGGER_ISSUER_FROM_EVENT', false);
  if (triggerIssuerFromEvent && (read.string('COGNITO_USER_POOL_ID') !== null || read.string('AUTH_ISSUER') !== null)) {
    problems.push('TRIGGER_ISSUER_FROM_EVENT=true cannot be combined with COGNITO_USER_POOL_ID or AUTH_ISSUER: configure the pool, or let the event name it, not both');
  }
  if (required.has('trigger-issuer') && !triggerIssuerFromEvent) required.add('issuer');
  if (required.has('database') && database.url === null && !problems.some((p) => p.startsWith('DATABASE_URL'))) {
    problems.push('DATABASE_URL is required here (the embedded server runs only in the local stack and CLI)');
  }
  const auth = readAuth(read, problems, allowInsecureIssuer, required.has('auth') ? 'auth' : required.has('issuer') ? 'issuer' : null);
  const cognito = { endpoint: read.url('COGNITO_ENDPOINT'), region: auth?.region ?? read.string('COGNITO_REGION') };
  const s3 = readS3(read, problems);
  const media = readMedia(read);
  const access = { groupRoles: readGroupRoles(read, problems) };
  const logLevel = read.string('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const config: Config = {
    http,
    database,
    dataDir,
    auth,
    triggerIssuerFromEvent,
    cognito,
    jitProvisioning: read.boolean('JIT_PROVISIONING', true),
    eraseIdpUser: read.boolean('ERASE_IDP_USER', false),
    provisionSecret: readProvisionSecret(read, problems),
    s3,
    media,
    access,
    logLevel,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

// Cognito group names: 1-128 characters, no whitespace; role names as in the roles table.
const GROUP_NAME = /^[^\s,=]{1,128}$/u;
const ROLE_NAME = /^[a-z][a-z0-9_]{1,62}$/;

/** `group=role` pairs, comma-separated; a group may appear several times to map to several roles. */
function readGroupRoles(read: EnvReader, problems: string[]): GroupRole[] {
  const raw = read.string('AUTH_GROUP_ROLES');
  if (raw === null) return [];
  const pairs: GroupRole[] = [];
  for (const entry of raw.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
    const [group = '', role = '', ...rest] = entry.split('=').map((part) => part.trim());
    if (rest.length > 0 || !GROUP_NAME.test(group) || !ROLE_NAME.test(role)) {
      problems.push(`AUTH_GROUP_ROLES entry "${entry}" must be group=role (a Cognito group name and a role name like support)`);
      continue;
    }
    if (!pairs.some((p) => p.group === group && p.role === role)) pairs.push({ group, role });
  }
  return pairs;
}

const MiB = 1024 * 1024;
/** S3's limit for one PUT: a presigned upload cannot be larger. */
const S3_SINGLE_PUT_MAX = 5 * 1024 * MiB;

function readS3(read: EnvReader, problems: string[]): Config['s3'] {
  const bucket = read.string('S3_BUCKET');
  const region = read.string('S3_REGION');
  // A presigned URL is only valid for the region it was signed for: never guess it.
  if (bucket !== null && region === null) problems.push('S3_REGION is required when S3_BUCKET is set');
  // Encryption is switched off only by saying so, never by leaving the variable out.
  const sse = read.string('S3_SERVER_SIDE_ENCRYPTION') ?? 'AES256';
  if (sse !== 'AES256' && sse !== 'none') problems.push('S3_SERVER_SIDE_ENCRYPTION must be AES256 or none');
  return {
    bucket,
    region,
    endpoint: read.url('S3_ENDPOINT'),
    forcePathStyle: read.boolean('S3_FORCE_PATH_STYLE', false),
    serverSideEncryption: sse === 'none' ? null : 'AES256',
  };
}

function readMedia(read: EnvReader): MediaConfig {
  return {
    maxBytes: {
      photo: read.integer('MEDIA_PHOTO_MAX_BYTES', 5 * MiB, 1, S3_SINGLE_PUT_MAX),
      resume: read.integer('MEDIA_RESUME_MAX_BYTES', 10 * MiB, 1, S3_SINGLE_PUT_MAX),
      document: read.integer('MEDIA_DOCUMENT_MAX_BYTES', 20 * MiB, 1, S3_SINGLE_PUT_MAX),
    },
    maxPendingPerUser: read.integer('MEDIA_MAX_PENDING_PER_USER', 5, 1, 1000),
    maxItemsPerUser: read.integer('MEDIA_MAX_ITEMS_PER_USER', 50, 1, 10_000),
    uploadUrlSeconds: read.integer('MEDIA_UPLOAD_URL_SECONDS', 300, 30, 3600),
    downloadUrlSeconds: read.integer('MEDIA_DOWNLOAD_URL_SECONDS', 300, 30, 3600),
  };
}

function readAuth(
  read: EnvReader,
  problems: string[],
  allowInsecureIssuer: boolean,
  required: 'auth' | 'issuer' | null,
): AuthConfig | null {
  const userPoolId = read.string('COGNITO_USER_POOL_ID');
  const clientIdsRaw = read.string('COGNITO_CLIENT_IDS');
  if (userPoolId === null) {
    if (required !== null) problems.push('COGNITO_USER_POOL_ID is required');
    if (required === 'auth' && clientIdsRaw === null) problems.push('COGNITO_CLIENT_IDS is required');
    return null;
  }

  const awsMatch = AWS_POOL_ID.exec(userPoolId);
  const isLocal = LOCAL_POOL_ID.test(userPoolId);
  if (!awsMatch && !isLocal) {
    problems.push('COGNITO_USER_POOL_ID must look like "eu-west-1_AbC123" (or "local_…" for the local emulator)');
  }

  const clientIds = (clientIdsRaw ?? '').split(',').map((id) => id.trim()).filter((id) => id !== '');
  if (clientIds.length === 0 && required !== 'issuer') {
    problems.push('COGNITO_CLIENT_IDS is required (comma-separated app client ids)');
  }
  for (const id of clientIds) {
    if (!CLIENT_ID.test(id)) problems.push(`COGNITO_CLIENT_IDS contains an invalid client id "${id}"`);
  }

  const region = read.string('COGNITO_REGION') ?? awsMatch?.[1] ?? 'local';
  const issuerOverride = read.url('AUTH_ISSUER');
  const jwksOverride = read.url('AUTH_JWKS_URI');
  if (isLocal && issuerOverride === null) {
    problems.push('AUTH_ISSUER is required when COGNITO_USER_POOL_ID is a local emulator pool ("local_…")');
  }
  const issuer = (issuerOverride ?? cognitoIssuer(region, userPoolId)).replace(/\/+$/, '');
  const jwksUri = jwksOverride ?? `${issuer}/.well-known/jwks.json`;
  for (const [name, value] of [['AUTH_ISSUER', issuer], ['AUTH_JWKS_URI', jwksUri]] as const) {
    if (value.startsWith('http://') && !allowInsecureIssuer) {
      problems.push(`${name} uses http://; set AUTH_ALLOW_INSECURE_ISSUER=true to allow it (never in production)`);
    }
  }

  const tokenUse = read.string('AUTH_TOKEN_USE') ?? 'any';
  if (tokenUse !== 'access' && tokenUse !== 'id' && tokenUse !== 'any') {
    problems.push('AUTH_TOKEN_USE must be one of access, id, any');
  }

  return {
    userPoolId,
    region,
    issuer,
    jwksUri,
    clientIds,
    tokenUse: tokenUse as TokenUse,
    allowInsecureIssuer,
    isAwsPool: awsMatch !== null && issuerOverride === null && jwksOverride === null,
  };
}

/**
 * IAM authentication needs the user in the URL (the token is signed for it),
 * no password (a token replaces it), nothing in the query (TLS with
 * certificate verification is always on; anything else would be ignored) and
 * the region the token is signed for: the RDS host name's, else AWS_REGION
 * (set by Lambda and ECS).
 */
function readIamAuth(read: EnvReader, problems: string[], url: string | null, readUrl: string | null): { region: string } | null {
  if (url === null) {
    if (problems.some((p) => p.startsWith('DATABASE_URL'))) return null;
    problems.push('DATABASE_URL is required when DATABASE_IAM_AUTH=true (a user@host of RDS Proxy, RDS or Aurora)');
    return null;
  }
  for (const [name, value] of [['DATABASE_URL', url], ['DATABASE_READ_URL', readUrl]] as const) {
    if (value === null) continue;
    const parsed = new URL(value);
    if (parsed.username === '') problems.push(`${name} must name the database user when DATABASE_IAM_AUTH=true`);
    if (parsed.password !== '') problems.push(`${name} must not carry a password when DATABASE_IAM_AUTH=true (the IAM token replaces it)`);
    const params = [...parsed.searchParams.entries()];
    if (params.some(([key, v]) => !(key === 'sslmode' && v === 'verify-full'))) {
      problems.push(`${name} takes no query parameters when DATABASE_IAM_AUTH=true (TLS with certificate verification is always on)`);
    }
  }
  const region = RDS_HOST_REGION.exec(new URL(url).hostname)?.[1] ?? read.string('AWS_REGION');
  if (region === null) {
    problems.push('DATABASE_IAM_AUTH=true needs the region: use the RDS host name in DATABASE_URL, or set AWS_REGION');
    return null;
  }
  return { region };
}

function readProvisionSecret(read: EnvReader, problems: string[]): string | null {
  const secret = read.string('PROVISION_SHARED_SECRET');
  if (secret !== null && secret.length < 32) problems.push('PROVISION_SHARED_SECRET must be at least 32 characters');
  return secret;
}

class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  string(name: string): string | null {
    const value = this.env[name]?.trim();
    return value === undefined || value === '' ? null : value;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.string(name);
    if (raw === null) return fallback;
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    this.problems.push(`${name} must be true or false`);
    return fallback;
  }

  url(name: string): string | null {
    const raw = this.string(name);
    if (raw === null) return null;
    try {
      const url = new URL(raw);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
      return raw;
    } catch {
      this.problems.push(`${name} must be an http(s) URL`);
      return null;
    }
  }

  postgresUrl(name: string): string | null {
    const raw = this.string(name);
    if (raw === null) return null;
    try {
      const url = new URL(raw);
      if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw new Error('scheme');
      return raw;
    } catch {
      this.problems.push(`${name} must be a postgres:// URL`);
      return null;
    }
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
