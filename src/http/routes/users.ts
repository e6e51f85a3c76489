import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { grantRoleToUser, revokeRoleFromUser } from '../../access/index.js';
import { getUserDocument, searchUsers } from '../../admin/index.js';
import type { GroupRole } from '../../config/index.js';
import type { Db } from '../../db/index.js';
import { eraseUser, type ErasureDeps } from '../../erasure/index.js';
import type { Metrics } from '../plugins/metrics.js';
import { PreconditionRequiredError, UserNotFoundError } from '../../errors.js';
import { getHistory, getVersion, patchProfile, ProfileDocumentSchema, ProfilePatch } from '../../profiles/index.js';
import { accessControl } from '../access.js';
import { parseBound, RoleName, UserRolesSchema, UserSearchPageSchema, UserSearchQuerySchema } from '../admin-schemas.js';
import { etagFor, parseIfMatch } from '../preconditions.js';
import { problemResponses } from '../problem.js';
import { HistoryPageSchema, HistoryQuery, UserIdParam } from '../schemas.js';

export interface UsersRoutesOptions {
  db: Db;
  /** The read replica for search (DATABASE_READ_URL); the primary when absent. */
  readDb?: Db;
  jitProvisioning: boolean;
  /** AUTH_GROUP_ROLES. */
  groupRoles?: readonly GroupRole[];
  erasure: ErasureDeps;
  metrics?: Metrics;
}

const ErasureSchema = Type.Object({
  userId: Type.String(),
  status: Type.Literal('erased'),
  alreadyErased: Type.Boolean(),
  pendingObjects: Type.Integer({ description: 'stored objects still queued for deletion' }),
  identityProviderDeleted: Type.Boolean(),
});

const security = [{ bearerAuth: [] }];
const tags = ['administration'];
const IdParams = Type.Object({ id: UserIdParam });
const RoleParams = Type.Object({ id: UserIdParam, role: RoleName });

/**
 * `/v1/users/**` (API.md §4). Every route checks its permission in
 * `preValidation`, before its input is validated or any user is looked up:
 * without the permission the answer is the same 403 whether or not the user
 * exists. Register inside the `/v1` scope, behind the auth hook.
 */
export const usersRoutes: FastifyPluginAsyncTypebox<UsersRoutesOptions> = async (app, options) => {
  const { db } = options;
  const readDb = options.readDb ?? db;
  const access = accessControl(options);
  const adminActor = (id: string) => ({ type: 'admin' as const, id });

  app.get(
    '/users',
    {
      preValidation: access.requires('users:read'),
      schema: {
        summary: 'Search users',
        description:
          'Filters combine with AND. Newest first (createdAt, then id, descending); page with `nextCursor`. `q` matches a substring of the names, email or headline, or a close match (typos allowed). Requires `users:read`.',
        tags,
        security,
        querystring: UserSearchQuerySchema,
        response: { 200: UserSearchPageSchema, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const q = request.query;
      return searchUsers(readDb, {
        q: q.q,
        email: q.email,
        role: q.role,
        openToWork: q.openToWork,
        skill: q.skill,
        country: q.country,
        createdFrom: parseBound(q.createdFrom, 'lower'),
        createdTo: parseBound(q.createdTo, 'upper'),
        limit: q.limit,
        cursor: q.cursor,
      });
    },
  );

  app.get(
    '/users/:id',
    {
      preValidation: access.requires('users:read'),
      schema: {
        summary: "A user's profile document (admin view)",
        description: 'Includes admins-only attributes. The ETag is the version, for PATCH If-Match. Requires `users:read`.',
        tags,
        security,
        params: IdParams,
        response: { 200: ProfileDocumentSchema, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      const document = await getUserDocument(db, request.params.id);
      reply.header('ETag', etagFor(document.version));
      return document;
    },
  );

  app.patch(
    '/users/:id',
    {
      preValidation: access.requires('users:write'),
      schema: {
        summary: "Change a user's profile (RFC 7396 merge patch, admin)",
        description:
          '`If-Match` with the ETag of GET /v1/users/{id} is required (428 without it, 412 when stale). Audited with the administrator as the actor. Requires `users:write`.',
        tags,
        security,
        params: IdParams,
        headers: { type: 'object', properties: { 'if-match': { type: 'string' } } },
        body: ProfilePatch,
        response: { 200: ProfileDocumentSchema, ...problemResponses(400, 401, 403, 404, 412, 413, 415, 422, 428, 503) },
      },
    },
    async (request, reply) => {
      const precondition = parseIfMatch(request.headers['if-match']);
      if (precondition === null) throw new PreconditionRequiredError();
      const principal = access.principalOf(request);
      const document = await patchProfile(db, { userId: request.params.id }, request.body, precondition, {
        actor: adminActor(principal.userId),
        audience: 'admin',
        requestId: request.id,
        source: 'admin_api',
      });
      reply.header('ETag', etagFor(document.version));
      return document;
    },
  );

  app.get(
    '/users/:id/history',
    {
      preValidation: access.requires('audit:read', { ownerParam: 'id' }),
      schema: {
        summary: "A user's change history, newest first",
        description: 'Needs `audit:read`, except for the user themselves. Without it the answer is 403 whether or not the user exists.',
        tags,
        security,
        params: IdParams,
        querystring: HistoryQuery,
        response: { 200: HistoryPageSchema, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const principal = access.principalOf(request);
      const { id } = request.params;
      const audience = principal.permissions.includes('audit:read') ? 'admin' : 'self';
      const page = await getHistory(db, id, { limit: request.query.limit, cursor: request.query.cursor, audience });
      if (page.items.length === 0 && request.query.cursor === undefined && !(await userExists(db, id))) throw new UserNotFoundError();
      return page;
    },
  );

  app.get(
    '/users/:id/versions/:n',
    {
      preValidation: access.requires('audit:read', { ownerParam: 'id' }),
      schema: {
        summary: "A user's profile document exactly as it was at version n",
        description: 'Needs `audit:read`, except for the user themselves. Without it the answer is 403 whether or not the user exists.',
        tags,
        security,
        params: Type.Object({ id: UserIdParam, n: Type.Integer({ minimum: 1 }) }),
        response: { 200: ProfileDocumentSchema, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      const principal = access.principalOf(request);
      const { id, n } = request.params;
      const audience = principal.permissions.includes('audit:read') ? 'admin' : 'self';
      const document = await getVersion(db, id, n, audience);
      if (document === null) throw new UserNotFoundError();
      reply.header('ETag', etagFor(document.version));
      return document;
    },
  );

  app.put(
    '/users/:id/roles/:role',
    {
      preValidation: access.requires('roles:assign'),
      schema: {
        summary: 'Grant a role to a user',
        description:
          'Idempotent. Versioned and audited (`role.granted`, the administrator as actor). 400 for a role that is not defined. Requires `roles:assign`.',
        tags,
        security,
        params: RoleParams,
        response: { 200: UserRolesSchema, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      const { id, role } = request.params;
      const principal = access.principalOf(request);
      const result = await grantRoleToUser(db, id, role, adminActor(principal.userId), { source: 'admin_api', requestId: request.id });
      reply.header('ETag', etagFor(result.version));
      return { userId: id, version: result.version, roles: result.roles, changed: result.changed };
    },
  );

  app.delete(
    '/users/:id/roles/:role',
    {
      preValidation: access.requires('roles:assign'),
      schema: {
        summary: 'Revoke a role from a user',
        description:
          'Idempotent. Versioned and audited (`role.revoked`). 409 for job_seeker (every user keeps it) and for the last admin\'s admin role. Requires `roles:assign`.',
        tags,
        security,
        params: RoleParams,
        response: { 200: UserRolesSchema, ...problemResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      const { id, role } = request.params;
      const principal = access.principalOf(request);
      const result = await revokeRoleFromUser(db, id, role, adminActor(principal.userId), { source: 'admin_api', requestId: request.id });
      reply.header('ETag', etagFor(result.version));
      return { userId: id, version: result.version, roles: result.roles, changed: result.changed };
    },
  );

  app.post(
    '/users/:id/erase',
    {
      preValidation: access.requires('users:erase'),
      schema: {
        summary: "Erase a user's personal data",
        description:
          'The one erasure path (as DELETE /v1/me): every personal value removed, a tombstone and the non-personal audit kept; final. 202 when the user\'s stored objects could not all be deleted yet (they stay queued and are retried). Requires `users:erase`.',
        tags,
        security,
        params: IdParams,
        response: {
          200: ErasureSchema,
          202: ErasureSchema,
          ...problemResponses(400, 401, 403, 404, 503),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const principal = access.principalOf(request);
      const result = await eraseUser(db, id, options.erasure, { actor: adminActor(principal.userId), source: 'admin_api', requestId: request.id });
      if (!result.alreadyErased) options.metrics?.erasures.inc({ source: 'admin_api' });
      reply.code(result.pendingObjects > 0 ? 202 : 200);
      return { userId: id, status: 'erased' as const, ...result };
    },
  );
};

async function userExists(db: Db, id: string): Promise<boolean> {
  return (await db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}
