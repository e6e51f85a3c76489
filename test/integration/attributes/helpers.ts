import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { grantRole, resolvePrincipal } from '../../../src/access/index.js';
import { loadConfig } from '../../../src/config/index.js';
import type { Db } from '../../../src/db/index.js';
import { authPlugin } from '../../../src/http/plugins/auth.js';
import { errorsPlugin, sendProblem } from '../../../src/http/plugins/errors.js';
import { problem, ProblemSchema } from '../../../src/http/problem.js';
import { attributeDefinitionRoutes } from '../../../src/http/routes/attribute-definitions.js';
import { createTokenVerifier } from '../../../src/identity/index.js';
import { memoryJwksFetcher } from '../../fixtures/identity/memory-fetcher.js';
import { createTestKey, idTokenClaims, jwksOf, signRs256 } from '../../fixtures/identity/sign.js';
import { buildTestApp, TEST_CLIENT_ID, TEST_ISSUER } from '../../helpers/app.js';

export interface AttributesTestApp {
  app: FastifyInstance;
  tokenFor(sub: string): string;
  /** True when the real app (src/http/app.ts) already registers the definitions routes. */
  wired: boolean;
  close(): Promise<void>;
}

/**
 * The real app when src/http/app.ts registers the definitions routes;
 * until then the same stack built here: the app's Ajv options, the problem
 * schema, the errors plugin, and the routes in the `/v1` scope behind the
 * auth hook. The one addition is a scope error handler for
 * ERR_ATTRIBUTE_NOT_FOUND, which the errors plugin does not map yet.
 */
export async function buildAttributesTestApp(db: Db): Promise<AttributesTestApp> {
  const real = await buildTestApp(db);
  if (real.app.hasRoute({ method: 'PUT', url: '/v1/attribute-definitions/:key' })) {
    return { app: real.app, tokenFor: (sub) => real.tokenFor(sub), wired: true, close: real.close };
  }
  await real.close();

  const config = loadConfig(
    {
      COGNITO_USER_POOL_ID: 'local_Test',
      COGNITO_CLIENT_IDS: TEST_CLIENT_ID,
      AUTH_ISSUER: TEST_ISSUER,
      AUTH_ALLOW_INSECURE_ISSUER: 'true',
      DATABASE_URL: 'postgres://unused@127.0.0.1/unused',
      LOG_LEVEL: 'silent',
    },
    { require: ['auth'] },
  );
  const key = createTestKey('attributes-test-key');
  const verifier = createTokenVerifier(config.auth!, { fetcher: memoryJwksFetcher(jwksOf(key)) });
  const app = Fastify({
    logger: false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: true, verbose: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.addSchema(ProblemSchema);
  await app.register(errorsPlugin);
  await app.register(
    async (v1) => {
      v1.setErrorHandler(async (error: FastifyError, _request, reply) => {
        if (error.code === 'ERR_ATTRIBUTE_NOT_FOUND') return sendProblem(reply, problem(404, 'not-found', 'Not Found', 'No such attribute definition'));
        throw error; // to the errors plugin
      });
      await v1.register(authPlugin, { verifier });
      await v1.register(attributeDefinitionRoutes, { db, jitProvisioning: config.jitProvisioning });
    },
    { prefix: '/v1' },
  );
  await app.ready();
  return {
    app,
    wired: false,
    tokenFor(sub) {
      const now = Math.floor(Date.now() / 1000);
      return signRs256(key, idTokenClaims({ issuer: TEST_ISSUER, clientId: TEST_CLIENT_ID, nowSeconds: now, sub }, { email: `${sub}@example.com` }));
    },
    close: () => app.close(),
  };
}

export interface TestUser {
  sub: string;
  userId: string;
}

/** A provisioned user (through the one provisioning path), with `roles` granted on top of the default. */
export async function createUser(db: Db, ...roles: string[]): Promise<TestUser> {
  const sub = `user-${randomUUID()}`;
  const { userId } = await resolvePrincipal(
    db,
    { issuer: TEST_ISSUER, subject: sub, email: `${sub}@example.com`, emailVerified: true },
    { jitProvisioning: true },
  );
  for (const role of roles) expect(await grantRole(db, userId, role)).toBe(true);
  return { sub, userId };
}

/** A unique attribute key per test, so tests in one file never share a definition. */
export function uniqueKey(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}
