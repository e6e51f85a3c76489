import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Db } from '../../db/index.js';
import { InvalidTokenError } from '../../errors.js';
import { ensureUser } from '../../users/index.js';
import type { Metrics } from '../plugins/metrics.js';
import { problemResponses } from '../problem.js';

export interface InternalRoutesOptions {
  db: Db;
  issuer: string;
  secret: string;
  metrics: Metrics;
  now?: () => number;
}

/** How far a signed request's timestamp may be from our clock. */
const MAX_SKEW_SECONDS = 300;

const ProvisionBody = Type.Object(
  {
    sub: Type.String({ minLength: 1, maxLength: 255, description: 'the identity provider subject (Cognito sub)' }),
    email: Type.Optional(Type.Union([Type.String({ maxLength: 320 }), Type.Null()])),
    emailVerified: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  },
  { additionalProperties: false },
);

/**
 * The ADR's backend-event path for deployments that cannot run the Lambda
 * trigger (docs/decisions/0002): a backend that learns of a confirmed
 * sign-up calls POST /internal/provision, signed with a shared secret:
 * `X-Signature: v1=<hex HMAC-SHA256(secret, "<X-Timestamp>.<raw body>")>`.
 * The same idempotent ensureUser path as the trigger, under the configured
 * issuer. Registered only when PROVISION_SHARED_SECRET is set.
 */
export const internalRoutes: FastifyPluginAsyncTypebox<InternalRoutesOptions> = async (app, options) => {
  const now = options.now ?? Date.now;
  // Keep the raw body: the signature covers the exact bytes sent.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    (request as { rawBody?: string }).rawBody = body as string;
    parseJson(request, body as string, done);
  });
  app.addHook('preValidation', async (request) => {
    verifySignature(options.secret, request.headers, (request as { rawBody?: string }).rawBody ?? '', now());
  });

  app.post(
    '/internal/provision',
    {
      schema: {
        summary: 'Provision a user from a backend event (HMAC-signed; for deployments without the Lambda trigger)',
        tags: ['internal'],
        headers: Type.Object({ 'x-timestamp': Type.String(), 'x-signature': Type.String() }),
        body: ProvisionBody,
        response: {
          200: Type.Object({ userId: Type.String(), created: Type.Boolean() }),
          201: Type.Object({ userId: Type.String(), created: Type.Boolean() }),
          ...problemResponses(400, 401, 422, 503),
        },
      },
    },
    async (request, reply) => {
      const result = await ensureUser(options.db, {
        issuer: options.issuer,
        subject: request.body.sub,
        email: request.body.email ?? null,
        emailVerified: request.body.emailVerified ?? null,
        source: 'backend_event',
        requestId: request.id,
      });
      if (result.created) options.metrics.usersProvisioned.inc({ source: 'backend_event' });
      reply.code(result.created ? 201 : 200);
      return result;
    },
  );
};

function verifySignature(secret: string, headers: Record<string, unknown>, body: string, nowMs: number): void {
  const timestamp = String(headers['x-timestamp'] ?? '');
  const signature = String(headers['x-signature'] ?? '');
  const seconds = Number(timestamp);
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowMs / 1000 - seconds) > MAX_SKEW_SECONDS) throw new InvalidTokenError('timestamp');
  const expected = `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) throw new InvalidTokenError('signature');
}

/** For clients and tests: the headers that sign `body`. */
export function signProvisionRequest(secret: string, body: string, nowMs = Date.now()): { 'x-timestamp': string; 'x-signature': string } {
  const timestamp = String(Math.floor(nowMs / 1000));
  return { 'x-timestamp': timestamp, 'x-signature': `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}` };
}
