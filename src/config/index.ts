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
  };
  dataDir: string;
  /** `null` when COGNITO_USER_POOL_ID is unset (commands that need no tokens). */
  auth: AuthConfig | null;
  cognito: { endpoint: string | null; region: string | null };
  jitProvisioning: boolean;
  eraseIdpUser: boolean;
  s3: {
    bucket: string | null;
    region: string | null;
    endpoint: string | null;
    forcePathStyle: boolean;
  };
  logLevel: string;
}

export interface LoadConfigOptions {
  /**
   * `auth`: COGNITO_USER_POOL_ID and COGNITO_CLIENT_IDS must be present (the API).
   * `issuer`: only COGNITO_USER_POOL_ID (the Lambda triggers key users on the issuer).
   * `database`: DATABASE_URL must be set (no embedded server, e.g. in Lambda).
   */
  require?: readonly ('auth' | 'issuer' | 'database')[];
}

type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const AWS_POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d)_[0-9A-Za-z]+$/;
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
  };
  const dataDir = resolve(read.string('DATA_DIR') ?? './.data');
  const allowInsecureIssuer = read.boolean('AUTH_ALLOW_INSECURE_ISSUER', false);
  const required = new Set(options.require ?? []);
  if (required.has('database') && database.url === null && !problems.some((p) => p.startsWith('DATABASE_URL'))) {
    problems.push('DATABASE_URL is required here (the embedded server runs only in the local stack and CLI)');
  }
  const auth = readAuth(read, problems, allowInsecureIssuer, required.has('auth') ? 'auth' : required.has('issuer') ? 'issuer' : null);
  const cognito = { endpoint: read.url('COGNITO_ENDPOINT'), region: auth?.region ?? read.string('COGNITO_REGION') };
  const s3 = {
    bucket: read.string('S3_BUCKET'),
    region: read.string('S3_REGION'),
    endpoint: read.url('S3_ENDPOINT'),
    forcePathStyle: read.boolean('S3_FORCE_PATH_STYLE', false),
  };
  const logLevel = read.string('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const config: Config = {
    http,
    database,
    dataDir,
    auth,
    cognito,
    jitProvisioning: read.boolean('JIT_PROVISIONING', true),
    eraseIdpUser: read.boolean('ERASE_IDP_USER', false),
    s3,
    logLevel,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
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
  const issuer = (issuerOverride ?? `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`).replace(/\/+$/, '');
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
