import type { FastifyRequest, preValidationAsyncHookHandler } from 'fastify';
import { authorize, resolvePrincipal, type Permission, type ResolvedPrincipal } from '../access/index.js';
import type { GroupRole } from '../config/index.js';
import type { Db } from '../db/index.js';
import { callerOf } from './plugins/auth.js';

export interface AccessOptions {
  db: Db;
  jitProvisioning: boolean;
  /** AUTH_GROUP_ROLES; none when absent. */
  groupRoles?: readonly GroupRole[];
}

export interface AccessControl {
  /**
   * A `preValidation` hook: resolves the caller and calls `authorize` (the
   * one policy check) before the request is validated or anything is looked
   * up, so a caller without the permission gets the same 403 whatever they
   * sent and whether or not the user exists. `ownerParam` names the path
   * parameter that lets the user themselves through without the permission.
   */
  requires(permission: Permission, options?: { ownerParam?: string }): preValidationAsyncHookHandler;
  /** The principal the hook resolved for this request. */
  principalOf(request: FastifyRequest): ResolvedPrincipal;
}

export function accessControl(options: AccessOptions): AccessControl {
  const principals = new WeakMap<FastifyRequest, ResolvedPrincipal>();
  return {
    requires(permission, { ownerParam } = {}) {
      return async (request) => {
        const principal = await resolvePrincipal(options.db, callerOf(request), {
          jitProvisioning: options.jitProvisioning,
          requestId: request.id,
          groupRoles: options.groupRoles ?? [],
        });
        const ownerId = ownerParam === undefined ? undefined : (request.params as Record<string, unknown>)[ownerParam];
        authorize(principal, permission, typeof ownerId === 'string' ? { ownerId: ownerId.toLowerCase(), ownerMay: true } : {});
        principals.set(request, principal);
      };
    },
    principalOf(request) {
      const principal = principals.get(request);
      if (principal === undefined) throw new Error('route has no permission check');
      return principal;
    },
  };
}
