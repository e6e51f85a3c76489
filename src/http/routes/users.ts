import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { authorize, resolvePrincipal } from '../../access/index.js';
import type { Db } from '../../db/index.js';
import { UserNotFoundError } from '../../errors.js';
import { getVersion, ProfileDocumentSchema } from '../../profiles/index.js';
import { callerOf } from '../plugins/auth.js';
import { etagFor } from '../preconditions.js';
import { problemResponses } from '../problem.js';
import { UserIdParam } from '../schemas.js';

export interface UsersRoutesOptions {
  db: Db;
  jitProvisioning: boolean;
}

const security = [{ bearerAuth: [] }];

export const usersRoutes: FastifyPluginAsyncTypebox<UsersRoutesOptions> = async (app, { db, jitProvisioning }) => {
  app.get(
    '/users/:id/versions/:n',
    {
      schema: {
        summary: 'A user\'s profile document exactly as it was at version n',
        description: 'Needs `audit:read`, except for the user themselves. Without it the answer is 403 whether or not the user exists.',
        tags: ['administration'],
        security,
        params: Type.Object({ id: UserIdParam, n: Type.Integer({ minimum: 1 }) }),
        response: { 200: ProfileDocumentSchema, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      const principal = await resolvePrincipal(db, callerOf(request), { jitProvisioning, requestId: request.id });
      const { id, n } = request.params;
      // Decided before any lookup, so that a 403 says nothing about existence.
      authorize(principal, 'audit:read', { ownerId: id, ownerMay: true });
      const audience = principal.permissions.includes('audit:read') ? 'admin' : 'self';
      const document = await getVersion(db, id, n, audience);
      if (document === null) throw new UserNotFoundError();
      reply.header('ETag', etagFor(document.version));
      return document;
    },
  );
};
