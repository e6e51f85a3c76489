import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { defineRole, deleteRole, listRoles } from '../../access/index.js';
import type { GroupRole } from '../../config/index.js';
import type { Db } from '../../db/index.js';
import { accessControl } from '../access.js';
import { RoleBodySchema, RoleListSchema, RoleName, RoleSchema } from '../admin-schemas.js';
import { problemResponses } from '../problem.js';

export interface RolesRoutesOptions {
  db: Db;
  jitProvisioning: boolean;
  groupRoles?: readonly GroupRole[];
}

const security = [{ bearerAuth: [] }];
const tags = ['administration'];

/** `GET /v1/roles`, `PUT /v1/roles/{role}`, `DELETE /v1/roles/{role}`; register inside the `/v1` scope. */
export const rolesRoutes: FastifyPluginAsyncTypebox<RolesRoutesOptions> = async (app, options) => {
  const { db } = options;
  const access = accessControl(options);

  app.get(
    '/roles',
    {
      preValidation: access.requires('roles:read'),
      schema: {
        summary: 'Every role with its permissions and member count',
        description: 'Requires `roles:read`.',
        tags,
        security,
        response: { 200: RoleListSchema, ...problemResponses(401, 403, 503) },
      },
    },
    async () => ({ items: await listRoles(db) }),
  );

  app.put(
    '/roles/:role',
    {
      preValidation: access.requires('roles:write'),
      schema: {
        summary: 'Create or replace a custom role',
        description:
          'The body is the whole definition: the permissions replace the old ones (each must be a known permission, else 422). Built-in roles (job_seeker, support, admin) cannot be changed: 409. 201 when created, 200 when replaced or unchanged. Recorded in role_events. Requires `roles:write`.',
        tags,
        security,
        params: Type.Object({ role: RoleName }),
        body: RoleBodySchema,
        response: { 200: RoleSchema, 201: RoleSchema, ...problemResponses(400, 401, 403, 409, 413, 415, 422, 503) },
      },
    },
    async (request, reply) => {
      const principal = access.principalOf(request);
      const result = await defineRole(db, request.params.role, request.body, { type: 'admin', id: principal.userId }, {
        source: 'admin_api',
        requestId: request.id,
      });
      reply.code(result.created ? 201 : 200);
      return result.role;
    },
  );

  app.delete(
    '/roles/:role',
    {
      preValidation: access.requires('roles:write'),
      schema: {
        summary: 'Delete a custom role',
        description:
          'Deletes a custom role and its permissions. 409 for a built-in role, and for a role still granted to anyone (revoke it from each holder first: every revoke is audited in that user\'s history); 404 for an unknown role. Recorded in role_events (`role.deleted`). Requires `roles:write`.',
        tags,
        security,
        params: Type.Object({ role: RoleName }),
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      const principal = access.principalOf(request);
      await deleteRole(db, request.params.role, { type: 'admin', id: principal.userId }, { source: 'admin_api', requestId: request.id });
      return reply.code(204).send(null);
    },
  );
};
