import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { queryAuditEvents } from '../../admin/index.js';
import type { GroupRole } from '../../config/index.js';
import type { Db } from '../../db/index.js';
import { accessControl } from '../access.js';
import { AuditPageSchema, AuditQuerySchema, parseBound } from '../admin-schemas.js';
import { problemResponses } from '../problem.js';

export interface AuditRoutesOptions {
  db: Db;
  /** The read replica (DATABASE_READ_URL); the primary when absent. */
  readDb?: Db;
  jitProvisioning: boolean;
  groupRoles?: readonly GroupRole[];
}

/** `GET /v1/audit`; register inside the `/v1` scope. */
export const auditRoutes: FastifyPluginAsyncTypebox<AuditRoutesOptions> = async (app, options) => {
  const access = accessControl(options);
  const readDb = options.readDb ?? options.db;

  app.get(
    '/audit',
    {
      preValidation: access.requires('audit:read'),
      schema: {
        summary: 'Audit events across users, newest first',
        description:
          'Filters combine with AND: `actor` (the acting user id or system component), `target` (the user concerned), `action`, `from` (inclusive), `to` (exclusive). Page with `nextCursor`. Requires `audit:read`.',
        tags: ['administration'],
        security: [{ bearerAuth: [] }],
        querystring: AuditQuerySchema,
        response: { 200: AuditPageSchema, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const q = request.query;
      return queryAuditEvents(readDb, {
        actor: q.actor,
        target: q.target?.toLowerCase(),
        action: q.action,
        from: parseBound(q.from, 'lower'),
        to: parseBound(q.to, 'upper'),
        limit: q.limit,
        cursor: q.cursor,
      });
    },
  );
};
