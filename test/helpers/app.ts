import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config/index.js';
import type { Db } from '../../src/db/index.js';
import { buildApp, type AppDeps } from '../../src/http/app.js';
import { createTokenVerifier } from '../../src/identity/index.js';
import { memoryJwksFetcher } from '../fixtures/identity/memory-fetcher.js';
import { createTestKey, idTokenClaims, jwksOf, signRs256, type Claims } from '../fixtures/identity/sign.js';

export const TEST_ISSUER = 'http://127.0.0.1:9229/local_Test';
export const TEST_CLIENT_ID = 'testclient1';
const key = createTestKey('test-key-1');

export interface TestApp {
  app: FastifyInstance;
  config: Config;
  /** A valid ID token for `sub`, signed with the key the app trusts. */
  tokenFor(sub: string, overrides?: Claims): string;
  close(): Promise<void>;
}

/**
 * The real app over a real database; only the JWKS download is served from
 * memory. `deps.mediaStorage`: the media store (e.g. a local s3rver); without
 * it the media routes answer 501, as without S3_BUCKET.
 */
export async function buildTestApp(db: Db, env: Record<string, string> = {}, deps: Pick<AppDeps, 'mediaStorage'> = {}): Promise<TestApp> {
  const config = loadConfig(
    {
      COGNITO_USER_POOL_ID: 'local_Test',
      COGNITO_CLIENT_IDS: TEST_CLIENT_ID,
      AUTH_ISSUER: TEST_ISSUER,
      AUTH_ALLOW_INSECURE_ISSUER: 'true',
      DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
      LOG_LEVEL: 'silent',
      ...env,
    },
    { require: ['auth'] },
  );
  const verifier = createTokenVerifier(config.auth!, { fetcher: memoryJwksFetcher(jwksOf(key)) });
  const app = await buildApp(config, { db, verifier, ...deps });
  await app.ready();
  return {
    app,
    config,
    tokenFor(sub, overrides = {}) {
      const now = Math.floor(Date.now() / 1000);
      return signRs256(key, idTokenClaims({ issuer: TEST_ISSUER, clientId: TEST_CLIENT_ID, nowSeconds: now, sub }, { email: `${sub}@example.com`, ...overrides }));
    },
    close: () => app.close(),
  };
}
