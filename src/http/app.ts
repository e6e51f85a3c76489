import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifySchemaCompiler } from 'fastify';
import { Ajv, type Options as AjvOptions } from 'ajv';
import addFormats from 'ajv-formats';
import type { Config } from '../config/index.js';
import type { Db } from '../db/index.js';
import type { TokenVerifier } from '../identity/index.js';
import { s3StorageFromConfig, type MediaContext, type MediaStorage } from '../media/index.js';
import type { ErasureDeps } from '../erasure/index.js';
import { identityProviderFor } from '../erasure/wiring.js';
import { internalRoutes } from './routes/internal.js';
import { registerJsonParsers } from './json-body.js';
import { authPlugin } from './plugins/auth.js';
import { errorsPlugin } from './plugins/errors.js';
import { mediaLinksPlugin } from './plugins/media-links.js';
import { createMetrics, metricsPlugin, type Metrics } from './plugins/metrics.js';
import { ProblemSchema } from './problem.js';
import { meRoutes } from './routes/me.js';
import { opsRoutes } from './routes/ops.js';
import { usersRoutes } from './routes/users.js';
import { rolesRoutes } from './routes/roles.js';
import { auditRoutes } from './routes/audit.js';
import { reportsRoutes } from './routes/reports.js';
import { attributeDefinitionRoutes } from './routes/attribute-definitions.js';
import { mediaRoutes } from './routes/media.js';

export interface AppDeps {
  db: Db;
  verifier: TokenVerifier;
  metrics?: Metrics;
  /** The read replica (DATABASE_READ_URL) for admin search, audit queries and reports; `db` when absent. */
  readDb?: Db;
  /**
   * The media object store. Absent: S3 from the configuration (none without
   * S3_BUCKET: the media routes then answer 501). The local stack and the
   * tests pass one with static credentials for s3rver.
   */
  mediaStorage?: MediaStorage | null;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Builds the API; listening is the caller's business (server.ts, tests via inject). */
export async function buildApp(config: Config, deps: AppDeps): Promise<FastifyInstance> {
  const metrics = deps.metrics ?? createMetrics();
  const app = Fastify({
    logger: {
      level: config.logLevel,
      // Tokens and personal data never reach the logs: no headers or bodies
      // are logged, and URLs are logged without their query string.
      redact: ['req.headers.authorization', 'req.headers.cookie'],
      serializers: {
        req: (req) => ({ method: req.method, url: req.url.split('?')[0], reqId: req.id }),
      },
    },
    bodyLimit: config.http.bodyLimitBytes,
    // A client-supplied id is kept only when it is short and plain, so that
    // it can be logged safely; otherwise a fresh one is made.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler());

  app.addHook('onSend', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
  });
  registerJsonParsers(app);
  app.addSchema(ProblemSchema);

  await app.register(errorsPlugin);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Profile Service',
        version: '0.1.0',
        description: 'User profiles in PostgreSQL next to Amazon Cognito (ADR 0009). Errors are RFC 9457 problem documents.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(metricsPlugin, { metrics });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(opsRoutes, { db: deps.db });
  if (config.provisionSecret !== null && config.auth !== null) {
    // Its own scope: it parses JSON itself (the signature covers the raw body).
    await app.register(internalRoutes, { db: deps.db, issuer: config.auth.issuer, secret: config.provisionSecret, metrics });
  }
  const media = mediaContext(config, deps, app);
  // Erasure deletes the user's objects through the same storage client.
  const erasure: ErasureDeps = {
    objects: media === null ? null : { deleteObject: (key) => media.storage.delete(key) },
    identityProvider: identityProviderFor(config),
  };

  await app.register(
    async (v1) => {
      await v1.register(authPlugin, { verifier: deps.verifier });
      // Before the routes: its hook must apply to every route that serves a profile document.
      if (media !== null) await v1.register(mediaLinksPlugin, { media });
      await v1.register(meRoutes, { db: deps.db, jitProvisioning: config.jitProvisioning, metrics, erasure });
      const admin = { db: deps.db, readDb: deps.readDb ?? deps.db, jitProvisioning: config.jitProvisioning, groupRoles: config.access.groupRoles, erasure, metrics };
      await v1.register(usersRoutes, admin);
      await v1.register(rolesRoutes, admin);
      await v1.register(auditRoutes, admin);
      await v1.register(reportsRoutes, admin);
      await v1.register(attributeDefinitionRoutes, { db: deps.db, jitProvisioning: config.jitProvisioning, groupRoles: config.access.groupRoles });
      await v1.register(mediaRoutes, { db: deps.db, jitProvisioning: config.jitProvisioning, media });
    },
    { prefix: '/v1' },
  );
  return app;
}

function mediaContext(config: Config, deps: AppDeps, app: FastifyInstance): MediaContext | null {
  if (deps.mediaStorage !== undefined) {
    return deps.mediaStorage === null ? null : { db: deps.db, storage: deps.mediaStorage, limits: config.media };
  }
  const storage = s3StorageFromConfig(config.s3);
  if (storage === null) return null;
  app.addHook('onClose', async () => storage.close());
  return { db: deps.db, storage, limits: config.media };
}

/**
 * Bodies are validated strictly: unknown members are rejected rather than
 * silently dropped, and nothing is coerced (a number is never turned into a
 * string): the client sent what it meant. Query strings, path parameters and
 * headers arrive as text, so they are coerced to the declared types.
 */
function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const options: AjvOptions = { removeAdditional: false, useDefaults: false, allErrors: true, verbose: true, strict: false };
  const strict = addFormats.default(new Ajv({ ...options, coerceTypes: false }));
  const coercing = addFormats.default(new Ajv({ ...options, coerceTypes: 'array', useDefaults: true }));
  return ({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema as object);
}
