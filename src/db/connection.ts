import { Signer } from '@aws-sdk/rds-signer';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

// DATE stays text ("1990-12-10"): turning it into a JS Date would shift it by
// the server's time zone. BIGINT (counts) fits in a JS number for our sizes.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface PoolOptions {
  max?: number;
  /** Fail fast when the server is down: the API answers 503 instead of hanging. */
  connectionTimeoutMillis?: number;
  statementTimeoutMillis?: number;
  applicationName?: string;
  /** IAM database authentication (DATABASE_IAM_AUTH): a fresh token per connection, TLS verified. */
  iamAuth?: IamAuthOptions | null;
}

export interface IamAuthOptions {
  /** The region the token is signed for (the RDS endpoint's). */
  region: string;
  /** Makes the token source for one endpoint and user; the AWS SDK's RDS Signer unless replaced (tests). */
  tokenSource?: (target: IamAuthTarget) => () => Promise<string>;
}

export interface IamAuthTarget {
  hostname: string;
  port: number;
  username: string;
  region: string;
}

/**
 * The RDS Signer: a SigV4-presigned `connect` URL for this host, port and
 * user, valid 15 minutes, signed locally with the default credential chain
 * (the task or function role). A connection needs it only while it logs in.
 */
function rdsSignerTokenSource(target: IamAuthTarget): () => Promise<string> {
  const signer = new Signer(target);
  return () => signer.getAuthToken();
}

/**
 * The pg pool settings for a connection string. With IAM authentication the
 * URL is taken apart rather than handed to pg: pg lets a connection string's
 * (empty) password override a password function. TLS is then always on and
 * verifies the server (RDS Proxy's certificates chain to Amazon Trust
 * Services, which Node trusts; RDS refuses IAM logins without TLS).
 */
export function poolConfig(connectionString: string, options: PoolOptions = {}): pg.PoolConfig {
  const common: pg.PoolConfig = {
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 2000,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMillis ?? 10_000,
    application_name: options.applicationName ?? 'profile-service',
  };
  if (!options.iamAuth) return { connectionString, ...common };
  const url = new URL(connectionString);
  const target: IamAuthTarget = {
    hostname: url.hostname,
    port: url.port === '' ? 5432 : Number(url.port),
    username: decodeURIComponent(url.username),
    region: options.iamAuth.region,
  };
  const database = decodeURIComponent(url.pathname.slice(1));
  return {
    ...common,
    host: target.hostname,
    port: target.port,
    user: target.username,
    ...(database === '' ? {} : { database }),
    password: (options.iamAuth.tokenSource ?? rdsSignerTokenSource)(target),
    ssl: { rejectUnauthorized: true },
  };
}

export function createDb(connectionString: string, options: PoolOptions = {}): Kysely<Database> {
  const pool = new pg.Pool(poolConfig(connectionString, options));
  // A connection lost while idle, or while checked out between queries
  // (database restart, failover), must not crash the process: the pool drops
  // the client, a query in flight fails with the error, the next reconnects.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH']);

/**
 * True for errors that mean "the database cannot be reached right now", as
 * opposed to a bad query: connection failures, pool timeouts, server
 * shutdown (57P0x) and connection-exception SQLSTATEs (class 08).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code))) {
      return true;
    }
    if (/timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED/i.test(e.message)) return true;
    if (e instanceof AggregateError && e.errors.some((inner) => isDatabaseUnavailable(inner))) return true;
  }
  return false;
}
