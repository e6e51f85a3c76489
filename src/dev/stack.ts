import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { loadConfig } from '../config/index.js';
import { ConfigError } from '../errors.js';
import { migrateToLatest, openDatabases, type Databases } from '../db/index.js';
import { buildApp } from '../http/app.js';
import { createMetrics } from '../http/plugins/metrics.js';
import { createTokenVerifier } from '../identity/index.js';
import type { HandlerLogger } from '../lambda/logger.js';
import { createPostConfirmationHandler } from '../lambda/post-confirmation-handler.js';
import { createPreTokenGenerationHandler } from '../lambda/pre-token-generation-handler.js';
import { startCognitoLocal, type CognitoLocal } from './cognito-local.js';
import { startLambdaInvokeServer, type LambdaInvokeServer } from './lambda-invoke-server.js';
import { ensureLocalPool, type LocalPool } from './local-pool.js';
import { DEFAULT_S3_LOCAL_PORT, LOCAL_S3_BUCKET, localS3Storage, startLocalS3, type LocalS3 } from './s3.js';

export const POST_CONFIRMATION_FUNCTION = 'post-confirmation';
export const PRE_TOKEN_GENERATION_FUNCTION = 'pre-token-generation';
const DEFAULT_COGNITO_PORT = 9229;

/** What `dev:user` (another process) needs to reach the running stack. */
export interface StackState {
  apiUrl: string;
  cognitoUrl: string;
  userPoolId: string;
  clientId: string;
  issuer: string;
  /** s3rver: where presigned URLs point, and the bucket (S3_ENDPOINT, S3_BUCKET for the CLI). */
  s3Endpoint: string;
  s3Bucket: string;
  pid: number;
}

export interface LocalStack extends StackState {
  docsUrl: string;
  dataDir: string;
  app: FastifyInstance;
  databases: Databases;
  stop(): Promise<void>;
}

export function stackStateFile(dataDir: string): string {
  return join(dataDir, 'stack.json');
}

/**
 * The whole ADR 0009 picture on one machine: PostgreSQL (embedded unless
 * DATABASE_URL is set), cognito-local with its Post Confirmation trigger
 * wired through a Lambda Invoke endpoint to our real handler, and the API
 * verifying cognito-local's tokens. The pool and client are created on the
 * first run and reused after (the issuer stays stable while the port does).
 * Media go to s3rver (objects in DATA_DIR/s3, the bucket created on the first
 * run), which the API reaches with static dummy credentials.
 * Extra variables: COGNITO_LOCAL_PORT (default 9229), S3_LOCAL_PORT (default
 * 4569; 0 for any free port), S3_BUCKET (default `profile-media`).
 */
export async function startLocalStack(env: NodeJS.ProcessEnv): Promise<LocalStack> {
  const base = loadConfig(env);
  const log = pino({ level: base.logLevel, base: { component: 'local-stack' } });
  const cognitoPort = Number(env.COGNITO_LOCAL_PORT ?? DEFAULT_COGNITO_PORT);
  const s3Port = localPort(env.S3_LOCAL_PORT, DEFAULT_S3_LOCAL_PORT, 'S3_LOCAL_PORT');
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const fn of stoppers.reverse()) await fn().catch((error) => log.warn({ err: error }, 'stop failed'));
    stoppers.length = 0;
  };

  try {
    await mkdir(base.dataDir, { recursive: true });
    const databases = await openDatabases(base, { log: (line) => log.debug({ postgres: line.trim() }) });
    stoppers.push(() => databases.close());
    await migrateToLatest(databases.db);

    const s3: LocalS3 = await startLocalS3({
      dir: join(base.dataDir, 's3'),
      host: '127.0.0.1',
      port: s3Port,
      bucket: env.S3_BUCKET ?? LOCAL_S3_BUCKET,
      logger: log.child({ component: 's3rver' }),
    });
    stoppers.push(() => s3.stop());
    const mediaStorage = localS3Storage(s3);
    stoppers.push(async () => mediaStorage.close());

    const metrics = createMetrics();
    const triggerLog = handlerLogger(log.child({ component: 'post-confirmation' }));
    let postConfirmation: ((event: any) => Promise<unknown>) | null = null;
    let preTokenGeneration: ((event: any) => Promise<unknown>) | null = null;
    const lambda: LambdaInvokeServer = await startLambdaInvokeServer({
      host: '127.0.0.1',
      port: 0,
      logger: log.child({ component: 'lambda' }),
      functions: {
        [POST_CONFIRMATION_FUNCTION]: (event) => {
          if (postConfirmation === null) throw new Error('the stack is still starting');
          return postConfirmation(event);
        },
        [PRE_TOKEN_GENERATION_FUNCTION]: (event) => {
          if (preTokenGeneration === null) throw new Error('the stack is still starting');
          return preTokenGeneration(event);
        },
      },
    });
    stoppers.push(() => lambda.close());

    const cognito: CognitoLocal = await startCognitoLocal({
      dir: join(base.dataDir, 'cognito'),
      host: '127.0.0.1',
      port: cognitoPort,
      lambdaEndpoint: lambda.url,
      triggers: { PostConfirmation: POST_CONFIRMATION_FUNCTION, PreTokenGeneration: PRE_TOKEN_GENERATION_FUNCTION },
      logger: log.child({ component: 'cognito-local' }),
    });
    stoppers.push(() => cognito.stop());

    const pool: LocalPool = await ensureLocalPool({ cognitoUrl: cognito.url, stateFile: join(base.dataDir, 'cognito', 'pool.json') });
    const config = loadConfig(
      {
        ...env,
        DATABASE_URL: databases.url,
        COGNITO_USER_POOL_ID: pool.userPoolId,
        COGNITO_CLIENT_IDS: pool.clientId,
        AUTH_ISSUER: pool.issuer,
        AUTH_ALLOW_INSECURE_ISSUER: 'true',
        COGNITO_ENDPOINT: cognito.url,
        S3_BUCKET: s3.bucket,
        S3_REGION: s3.region,
        S3_ENDPOINT: s3.endpoint,
        S3_FORCE_PATH_STYLE: 'true',
      },
      { require: ['auth'] },
    );
    postConfirmation = createPostConfirmationHandler({
      db: databases.db,
      issuer: pool.issuer,
      userPoolId: pool.userPoolId,
      logger: triggerLog,
      onProvisioned: (result) => {
        if (result.created) metrics.usersProvisioned.inc({ source: 'post_confirmation' });
      },
    });

    preTokenGeneration = createPreTokenGenerationHandler({
      db: databases.db,
      issuer: pool.issuer,
      userPoolId: pool.userPoolId,
      groupRoles: config.access.groupRoles,
      logger: handlerLogger(log.child({ component: 'pre-token-generation' })),
    });

    const verifier = createTokenVerifier(config.auth!);
    const app = await buildApp(config, { db: databases.db, readDb: databases.readDb, verifier, metrics, mediaStorage });
    stoppers.push(() => app.close());
    const address = await app.listen({ port: config.http.port, host: config.http.host });
    await verifier.hydrate().catch((error) => log.warn({ err: error }, 'JWKS prefetch failed; will retry on first request'));

    const state: StackState = {
      apiUrl: address,
      cognitoUrl: cognito.url,
      userPoolId: pool.userPoolId,
      clientId: pool.clientId,
      issuer: pool.issuer,
      s3Endpoint: s3.endpoint,
      s3Bucket: s3.bucket,
      pid: process.pid,
    };
    const stateFile = stackStateFile(base.dataDir);
    await writeFile(stateFile, JSON.stringify(state, null, 2));
    // Last in, so first out: the file disappears before anything stops.
    stoppers.push(() => rm(stateFile, { force: true }));

    return { ...state, docsUrl: `${address}/docs`, dataDir: base.dataDir, app, databases, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function localPort(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || port > 65535) throw new ConfigError([`${name} must be a port number (0 for any free port)`]);
  return port;
}

function handlerLogger(log: pino.Logger): HandlerLogger {
  return {
    info: (message, attributes) => log.info(attributes ?? {}, message),
    warn: (message, attributes) => log.warn(attributes ?? {}, message),
    error: (message, attributes) => log.error(attributes ?? {}, message),
  };
}
