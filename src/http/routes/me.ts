import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/index.js';
import { eraseUser, type ErasureDeps } from '../../erasure/index.js';
import { Type } from '@sinclair/typebox';
import { resolvePrincipal } from '../../access/index.js';
import { exportUser, getHistory, getOwnProfile, patchOwnProfile, ProfileDocumentSchema, ProfilePatch } from '../../profiles/index.js';
import { HistoryPageSchema, HistoryQuery } from '../schemas.js';
import type { Metrics } from '../plugins/metrics.js';
import { callerOf } from '../plugins/auth.js';
import { etagFor, parseIfMatch } from '../preconditions.js';
import { problemResponses } from '../problem.js';

export interface MeRoutesOptions {
  db: Db;
  jitProvisioning: boolean;
  metrics: Metrics;
  erasure: ErasureDeps;
}

const security = [{ bearerAuth: [] }];

export const meRoutes: FastifyPluginAsyncTypebox<MeRoutesOptions> = async (app, { db, jitProvisioning, metrics, erasure }) => {
  app.get(
    '/me',
    {
      schema: {
        summary: "The caller's profile",
        description: 'Creates the profile on first sight when just-in-time provisioning is on.',
        tags: ['self-service'],
        security,
        response: { 200: ProfileDocumentSchema, ...problemResponses(401, 404, 503) },
      },
    },
    async (request, reply) => {
      const { document, provisioned } = await getOwnProfile(db, callerOf(request), { jitProvisioning, requestId: request.id });
      if (provisioned) metrics.usersProvisioned.inc({ source: 'jit' });
      reply.header('ETag', etagFor(document.version));
      return document;
    },
  );

  app.patch(
    '/me',
    {
      schema: {
        summary: "Change the caller's profile (RFC 7396 merge patch)",
        description:
          'Members set to null are removed. `If-Match` with the ETag of GET makes the change conditional (412 when stale).',
        tags: ['self-service'],
        security,
        headers: { type: 'object', properties: { 'if-match': { type: 'string' } } },
        body: ProfilePatch,
        response: { 200: ProfileDocumentSchema, ...problemResponses(400, 401, 404, 412, 413, 415, 422, 503) },
      },
    },
    async (request, reply) => {
      const precondition = parseIfMatch(request.headers['if-match']);
      const document = await patchOwnProfile(db, callerOf(request), request.body, precondition, {
        jitProvisioning,
        requestId: request.id,
      });
      reply.header('ETag', etagFor(document.version));
      return document;
    },
  );

  app.get(
    '/me/history',
    {
      schema: {
        summary: "The caller's change history, newest first",
        description: 'Every change with its actor, source and field-level diff; provisioning is the first item. Paginate with `nextCursor`.',
        tags: ['self-service'],
        security,
        querystring: HistoryQuery,
        response: { 200: HistoryPageSchema, ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request) => {
      const principal = await resolvePrincipal(db, callerOf(request), { jitProvisioning, requestId: request.id });
      return getHistory(db, principal.userId, { limit: request.query.limit, cursor: request.query.cursor, audience: 'self' });
    },
  );

  app.get(
    '/me/export',
    {
      schema: {
        summary: 'Everything stored about the caller (data portability)',
        description: 'The whole document (every attribute), every linked identity and the whole history, as one JSON document.',
        tags: ['self-service'],
        security,
        response: { 200: Type.Object({}, { additionalProperties: true }), ...problemResponses(401, 404, 503) },
      },
    },
    async (request, reply) => {
      const principal = await resolvePrincipal(db, callerOf(request), { jitProvisioning, requestId: request.id });
      reply.header('Content-Disposition', 'attachment; filename="profile-export.json"');
      reply.header('Cache-Control', 'no-store');
      return exportUser(db, principal.userId);
    },
  );

  app.delete(
    '/me',
    {
      schema: {
        summary: "Erase the caller's personal data",
        description:
          'Removes every personal value (profile, preferences, job-seeker data, attributes, media and their objects, version snapshots, the values in the audit trail); keeps a tombstone and the non-personal audit. Final: the identity can never be provisioned again. With ERASE_IDP_USER=true the Cognito user is deleted too.',
        tags: ['self-service'],
        security,
        response: { 204: Type.Null(), ...problemResponses(401, 404, 503) },
      },
    },
    async (request, reply) => {
      const principal = await resolvePrincipal(db, callerOf(request), { jitProvisioning: false, requestId: request.id });
      const result = await eraseUser(db, principal.userId, erasure, {
        actor: { type: 'user', id: principal.userId },
        source: 'api',
        requestId: request.id,
      });
      if (!result.alreadyErased) metrics.erasures.inc({ source: 'api' });
      if (result.pendingObjects > 0) request.log.warn({ pending: result.pendingObjects }, 'erasure left objects queued for deletion');
      return reply.code(204).send(null);
    },
  );
};
