import { sql, type Kysely } from 'kysely';
import type { Actor } from '../audit/index.js';
import type { Database } from '../db/schema.js';
import { ConflictError, MalformedInputError, ProfileServiceError, UserNotFoundError } from '../errors.js';
import { recordChange, withUserLocked } from '../profiles/change.js';
import { DEFAULT_ROLE, PERMISSIONS } from './permissions.js';
import { findRole, loadGrants, roleExists, type RoleView } from './repository.js';

export class UnknownRoleError extends MalformedInputError {
  constructor(role: string) {
    super(`No role named "${role}"`, [{ pointer: '/role', message: 'is not a defined role' }]);
  }
}

/**
 * Grants a role in one transaction with the user row locked: the grant, the
 * user's version + 1, an audit event (`role.granted`, the roles before and
 * after) and a version snapshot. Granting a role the user has changes nothing.
 */
export async function grantRoleToUser(
  db: Kysely<Database>,
  userId: string,
  role: string,
  actor: Actor,
  context: { source: string; requestId?: string | null },
): Promise<{ changed: boolean; version: number; roles: string[] }> {
  return withUserLocked(db, userId, async (trx, user) => {
    if (!(await roleExists(trx, role, { lock: true }))) throw new UnknownRoleError(role);
    const before = (await loadGrants(trx, userId)).roles;
    if (before.includes(role)) return { changed: false, version: user.version, roles: before };

    await trx.insertInto('user_roles').values({ user_id: userId, role }).execute();
    const version = await recordChange(trx, user, {
      actor,
      source: context.source,
      action: 'role.granted',
      requestId: context.requestId ?? null,
      changes: [{ path: '/roles', from: before, to: [...before, role].sort() }],
    });
    return { changed: true, version, roles: [...before, role].sort() };
  });
}

/** The built-in roles (job_seeker, support, admin) are defined by migrations and cannot be changed. */
export class BuiltInRoleError extends ConflictError {
  constructor(role: string) {
    super(`${role} is a built-in role and cannot be changed`);
  }
}

/** A revoke the service refuses: job_seeker (every user has it) or the last admin's admin role. */
export class RevokeRefusedError extends ConflictError {}

export class RoleNotFoundError extends ProfileServiceError {
  constructor() {
    super('ERR_ROLE_NOT_FOUND', 'No such role');
  }
}

/**
 * Revokes a role like grantRoleToUser grants it: user row locked, version + 1,
 * `role.revoked` audit event (roles before and after), snapshot. Revoking a
 * role the user does not have changes nothing. Refused (409): job_seeker,
 * which every user keeps, and `admin` from the last user who holds it, so
 * that the service never locks its administrators out (the admin rows are
 * locked first, so two concurrent revokes cannot both pass the check).
 */
export async function revokeRoleFromUser(
  db: Kysely<Database>,
  userId: string,
  role: string,
  actor: Actor,
  context: { source: string; requestId?: string | null },
): Promise<{ changed: boolean; version: number; roles: string[] }> {
  return withUserLocked(db, userId, async (trx, user) => {
    if (!(await roleExists(trx, role))) throw new UnknownRoleError(role);
    if (role === DEFAULT_ROLE) throw new RevokeRefusedError(`${DEFAULT_ROLE} is every user's role and cannot be revoked`);
    const before = (await loadGrants(trx, userId)).roles;
    if (!before.includes(role)) return { changed: false, version: user.version, roles: before };
    if (role === 'admin') {
      const admins = await trx.selectFrom('user_roles').select('user_id').where('role', '=', 'admin').forUpdate().execute();
      if (admins.length <= 1) throw new RevokeRefusedError('The last admin cannot lose the admin role; grant it to someone else first');
    }

    await trx.deleteFrom('user_roles').where('user_id', '=', userId).where('role', '=', role).execute();
    const after = before.filter((r) => r !== role);
    const version = await recordChange(trx, user, {
      actor,
      source: context.source,
      action: 'role.revoked',
      requestId: context.requestId ?? null,
      changes: [{ path: '/roles', from: before, to: after }],
    });
    return { changed: true, version, roles: after };
  });
}

export interface RoleDefinition {
  description?: string | undefined;
  permissions: readonly string[];
}

/**
 * Creates or replaces a custom role (`PUT /v1/roles/{role}`). Built-in roles
 * are refused (409); every permission must be a known one (422 from the
 * route schema; checked here too). The change and the definition before and
 * after are appended to `role_events`. Users holding the role get the new
 * permissions on their next request (nothing is cached).
 */
export async function defineRole(
  db: Kysely<Database>,
  role: string,
  definition: RoleDefinition,
  actor: Actor,
  context: { source: string; requestId?: string | null },
): Promise<{ role: RoleView; created: boolean; changed: boolean }> {
  const unknown = definition.permissions.filter((p) => !(PERMISSIONS as readonly string[]).includes(p));
  if (unknown.length > 0) {
    throw new MalformedInputError(`Unknown permission(s): ${unknown.join(', ')}`, [{ pointer: '/permissions', message: 'contains an unknown permission' }]);
  }
  const permissions = [...new Set(definition.permissions)].sort();
  return db.transaction().execute(async (trx) => {
    // Serialise definitions of one role (the row may not exist yet).
    await sql`select pg_advisory_xact_lock(${ROLE_LOCK_NAMESPACE}::int4, hashtext(${role}))`.execute(trx);
    const before = await findRole(trx, role);
    if (before?.builtIn) throw new BuiltInRoleError(role);
    const description = definition.description ?? before?.description ?? '';
    if (before !== null && before.description === description && sameList(before.permissions, permissions)) {
      return { role: before, created: false, changed: false };
    }
    await trx
      .insertInto('roles')
      .values({ name: role, description, built_in: false })
      .onConflict((oc) => oc.column('name').doUpdateSet({ description, updated_at: new Date() }))
      .execute();
    await trx.deleteFrom('role_permissions').where('role', '=', role).execute();
    if (permissions.length > 0) await trx.insertInto('role_permissions').values(permissions.map((permission) => ({ role, permission }))).execute();
    await recordRoleEvent(trx, role, before === null ? 'role.created' : 'role.updated', actor, context, before, { description, permissions });
    const after = await findRole(trx, role);
    if (after === null) throw new RoleNotFoundError();
    return { role: after, created: before === null, changed: true };
  });
}

/** A custom role that users still hold cannot be deleted. */
export class RoleInUseError extends ConflictError {
  constructor(role: string, holders: number) {
    super(`${role} is still granted to ${holders} user(s); revoke it from them first`);
  }
}

/**
 * Deletes a custom role (`DELETE /v1/roles/{role}`) with its permissions,
 * and appends `role.deleted` (the definition before, null after) to
 * `role_events`. Refused: a built-in role (409), a role someone still holds
 * (409: revoking is audited in each holder's own chain, so it is done one
 * user at a time), an unknown role (404). The role row is locked FOR UPDATE:
 * a grant in flight holds it FOR KEY SHARE (grantRoleToUser), so either the
 * grant commits first and this sees its holder, or the grant finds no role.
 */
export async function deleteRole(
  db: Kysely<Database>,
  role: string,
  actor: Actor,
  context: { source: string; requestId?: string | null },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${ROLE_LOCK_NAMESPACE}::int4, hashtext(${role}))`.execute(trx);
    const locked = await trx.selectFrom('roles').select('name').where('name', '=', role).forUpdate().executeTakeFirst();
    const before = locked === undefined ? null : await findRole(trx, role);
    if (before === null) throw new RoleNotFoundError();
    if (before.builtIn) throw new BuiltInRoleError(role);
    const { holders } = await trx
      .selectFrom('user_roles')
      .select((eb) => eb.fn.countAll<number>().as('holders'))
      .where('role', '=', role)
      .executeTakeFirstOrThrow();
    if (Number(holders) > 0) throw new RoleInUseError(role, Number(holders));
    await trx.deleteFrom('roles').where('name', '=', role).execute();
    await recordRoleEvent(trx, role, 'role.deleted', actor, context, before, null);
  });
}

/** Appends to role_events: the definition before and after (null: the role did not exist, or no longer does). */
async function recordRoleEvent(
  trx: Kysely<Database>,
  role: string,
  action: 'role.created' | 'role.updated' | 'role.deleted',
  actor: Actor,
  context: { source: string; requestId?: string | null },
  before: Pick<RoleView, 'description' | 'permissions'> | null,
  after: Pick<RoleView, 'description' | 'permissions'> | null,
): Promise<void> {
  await trx
    .insertInto('role_events')
    .values({
      role,
      actor_type: actor.type,
      actor_id: actor.id,
      source: context.source,
      action,
      request_id: context.requestId ?? null,
      description_before: before?.description ?? null,
      description_after: after?.description ?? null,
      permissions_before: before?.permissions ?? null,
      permissions_after: after?.permissions ?? null,
    })
    .execute();
}

// 'role'
const ROLE_LOCK_NAMESPACE = 0x726f6c65;

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The user id behind an email address; refuses when several users share it. */
export async function userIdByEmail(db: Kysely<Database>, email: string): Promise<string> {
  const rows = await db.selectFrom('identities').select('user_id').distinct().where('email', '=', email).limit(2).execute();
  if (rows.length === 0) throw new UserNotFoundError();
  if (rows.length > 1) throw new MalformedInputError(`Several users have the email ${email}; use --user <id>`);
  return rows[0]!.user_id;
}
