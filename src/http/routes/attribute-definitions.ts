import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { authorize, resolvePrincipal, type Permission, type Principal } from '../../access/index.js';
import {
  AttributeDefinitionBody,
  AttributeDefinitionListSchema,
  AttributeDefinitionSchema,
  AttributeDefinitionWithVersionsSchema,
  AttributeKeyParams,
  getAttributeDefinition,
  listAttributeDefinitions,
  listAttributeDefinitionVersions,
  putAttributeDefinition,
} from '../../attributes/index.js';
import type { GroupRole } from '../../config/index.js';
import type { Db } from '../../db/index.js';
import { callerOf } from '../plugins/auth.js';
import { etagFor, parseIfMatch } from '../preconditions.js';
import { problemResponses } from '../problem.js';

export interface AttributeDefinitionRoutesOptions {
  db: Db;
  jitProvisioning: boolean;
  /** AUTH_GROUP_ROLES. */
  groupRoles?: readonly GroupRole[];
}

const security = [{ bearerAuth: [] }];
const tags = ['attribute definitions'];

/**
 * `GET /attribute-definitions`, `GET|PUT /attribute-definitions/{key}`;
 * register inside the `/v1` scope, behind the auth hook.
 */
export const attributeDefinitionRoutes: FastifyPluginAsyncTypebox<AttributeDefinitionRoutesOptions> = async (app, { db, jitProvisioning, groupRoles }) => {
  const principals = new WeakMap<FastifyRequest, Principal>();

  /**
   * The permission is checked before the request is validated, so a caller
   * without it gets 403 whatever they sent (and learns nothing from a 400/422).
   */
  const requires = (permission: Permission) => async (request: FastifyRequest) => {
    const principal = await resolvePrincipal(db, callerOf(request), { jitProvisioning, requestId: request.id, groupRoles: groupRoles ?? [] });
    authorize(principal, permission);
    principals.set(request, principal);
  };
  const principalOf = (request: FastifyRequest): Principal => {
    const principal = principals.get(request);
    if (principal === undefined) throw new Error('route has no permission check');
    return principal;
  };

  app.get(
    '/attribute-definitions',
    {
      preValidation: requires('schema:read'),
      schema: {
        summary: 'List attribute definitions',
        description: 'Every definition in its current version, ordered by key. Requires `schema:read`.',
        tags,
        security,
        response: { 200: AttributeDefinitionListSchema, ...problemResponses(401, 403, 404, 503) },
      },
    },
    async () => ({ items: await listAttributeDefinitions(db) }),
  );

  app.get(
    '/attribute-definitions/:key',
    {
      preValidation: requires('schema:read'),
      schema: {
        summary: 'One attribute definition with its history',
        description: 'The current version (its number is the `ETag`) and every version, oldest first. Requires `schema:read`.',
        tags,
        security,
        params: AttributeKeyParams,
        response: { 200: AttributeDefinitionWithVersionsSchema, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      const definition = await getAttributeDefinition(db, request.params.key);
      const versions = await listAttributeDefinitionVersions(db, request.params.key);
      reply.header('ETag', etagFor(definition.version));
      return { ...definition, versions };
    },
  );

  app.put(
    '/attribute-definitions/:key',
    {
      preValidation: requires('schema:write'),
      schema: {
        summary: 'Create or change an attribute definition',
        description:
          '201 when created, 200 when changed (version + 1) or when identical to the current definition (no new version). ' +
          'A schema change that would make any stored value invalid is refused with 409 and changes nothing. ' +
          '`If-Match` with the `ETag` makes the change conditional (412 when stale). Requires `schema:write`.',
        tags,
        security,
        params: AttributeKeyParams,
        headers: { type: 'object', properties: { 'if-match': { type: 'string' } } },
        body: AttributeDefinitionBody,
        response: {
          200: AttributeDefinitionSchema,
          201: AttributeDefinitionSchema,
          ...problemResponses(400, 401, 403, 404, 409, 412, 413, 415, 422, 503),
        },
      },
    },
    async (request, reply) => {
      const precondition = parseIfMatch(request.headers['if-match']);
      const { definition, created } = await putAttributeDefinition(db, request.params.key, request.body, principalOf(request).userId, {
        precondition,
      });
      reply.header('ETag', etagFor(definition.version));
      if (created) reply.header('Location', request.url.split('?')[0]!).code(201);
      return definition;
    },
  );
};
