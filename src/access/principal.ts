import type { Kysely } from 'kysely';
import type { GroupRole } from '../config/index.js';
import type { Database } from '../db/schema.js';
import { NotProvisionedError, UserErasedError } from '../errors.js';
import { provisionJustInTime } from '../users/index.js';
import type { Principal } from './policy.js';
import { loadGrantsByIdentity, permissionsOfRoles } from './repository.js';

export interface CallerIdentity {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean | null;
  /** `cognito:groups` of the token; only consulted through `groupRoles`. */
  groups?: readonly string[];
}

export interface PrincipalContext {
  jitProvisioning: boolean;
  requestId?: string | null;
  /** AUTH_GROUP_ROLES: roles a token's groups confer for this request only (never stored). */
  groupRoles?: readonly GroupRole[];
}

export interface ResolvedPrincipal extends Principal {
  /** Every role in effect: the stored grants and the ones the token's groups confer. */
  roles: string[];
  /** The roles that come from the token's groups and are not stored grants. */
  groupRoles: string[];
}

/**
 * The authenticated caller as a principal: their internal id and
 * permissions. Provisions them just in time when allowed, like /v1/me; an
 * erased user is refused (404), never provisioned again.
 * Roles mapped from `cognito:groups` add their permissions only while the
 * token carries the group.
 */
export async function resolvePrincipal(db: Kysely<Database>, caller: CallerIdentity, context: PrincipalContext): Promise<ResolvedPrincipal> {
  let found = await loadGrantsByIdentity(db, caller.issuer, caller.subject);
  if (found === null) {
    await provisionJustInTime(db, caller, context);
    found = await loadGrantsByIdentity(db, caller.issuer, caller.subject);
    if (found === null) throw new NotProvisionedError();
  }
  // An erased identity is a tombstone: it may still authenticate (the IdP
  // can lag), but it owns nothing any more.
  if (found.status === 'erased') throw new UserErasedError();
  const { userId, roles, permissions } = found;
  const fromGroups = rolesForGroups(caller.groups ?? [], context.groupRoles ?? []).filter((role) => !roles.includes(role));
  if (fromGroups.length === 0) return { userId, roles, permissions, groupRoles: [] };
  const extra = await permissionsOfRoles(db, fromGroups);
  return {
    userId,
    roles: [...roles, ...fromGroups].sort(),
    permissions: [...new Set([...permissions, ...extra])].sort(),
    groupRoles: fromGroups,
  };
}

/** The roles AUTH_GROUP_ROLES maps the given groups to, sorted, without duplicates. */
export function rolesForGroups(groups: readonly string[], mapping: readonly GroupRole[]): string[] {
  if (groups.length === 0 || mapping.length === 0) return [];
  return [...new Set(mapping.filter((m) => groups.includes(m.group)).map((m) => m.role))].sort();
}
