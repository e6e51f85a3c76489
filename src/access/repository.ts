import type { Kysely } from 'kysely';
import type { Database, UserStatus } from '../db/schema.js';

export interface Grants {
  roles: string[];
  permissions: string[];
}

/** The user's roles and the union of their permissions, both sorted. */
export async function loadGrants(db: Kysely<Database>, userId: string): Promise<Grants> {
  const rows = await db
    .selectFrom('user_roles as ur')
    .leftJoin('role_permissions as rp', 'rp.role', 'ur.role')
    .select(['ur.role', 'rp.permission'])
    .where('ur.user_id', '=', userId)
    .execute();
  const roles = [...new Set(rows.map((r) => r.role))].sort();
  const permissions = [...new Set(rows.flatMap((r) => (r.permission === null ? [] : [r.permission])))].sort();
  return { roles, permissions };
}

/**
 * The user behind an identity, their status and grants, in one round trip
 * (every admin request starts here). Null when the identity is unknown.
 */
export async function loadGrantsByIdentity(
  db: Kysely<Database>,
  issuer: string,
  subject: string,
): Promise<(Grants & { userId: string; status: UserStatus }) | null> {
  const rows = await db
    .selectFrom('identities as i')
    .innerJoin('users as u', 'u.id', 'i.user_id')
    .leftJoin('user_roles as ur', 'ur.user_id', 'u.id')
    .leftJoin('role_permissions as rp', 'rp.role', 'ur.role')
    .select(['u.id', 'u.status', 'ur.role', 'rp.permission'])
    .where('i.issuer', '=', issuer)
    .where('i.subject', '=', subject)
    .execute();
  const first = rows[0];
  if (first === undefined) return null;
  const roles = [...new Set(rows.flatMap((r) => (r.role === null ? [] : [r.role])))].sort();
  const permissions = [...new Set(rows.flatMap((r) => (r.permission === null ? [] : [r.permission])))].sort();
  return { userId: first.id, status: first.status, roles, permissions };
}

/** Idempotent: granting a role the user has is a no-op. Returns whether it was new. */
export async function grantRole(db: Kysely<Database>, userId: string, role: string): Promise<boolean> {
  const result = await db
    .insertInto('user_roles')
    .values({ user_id: userId, role })
    .onConflict((oc) => oc.columns(['user_id', 'role']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/**
 * Whether the role exists. Inside a transaction that is about to grant it,
 * pass `lock`: the row is then held (FOR KEY SHARE) so that a concurrent
 * deleteRole waits for the grant and sees the new holder.
 */
export async function roleExists(db: Kysely<Database>, role: string, options: { lock?: boolean } = {}): Promise<boolean> {
  const query = db.selectFrom('roles').select('name').where('name', '=', role);
  return (await (options.lock ? query.forKeyShare() : query).executeTakeFirst()) !== undefined;
}

export interface RoleView {
  name: string;
  description: string;
  builtIn: boolean;
  permissions: string[];
  members: number;
}

export async function listRoles(db: Kysely<Database>, only?: string): Promise<RoleView[]> {
  const roles = await db
    .selectFrom('roles as r')
    .select((eb) => [
      'r.name',
      'r.description',
      'r.built_in',
      eb
        .selectFrom('role_permissions as rp')
        .select((e) => e.fn.coalesce(e.fn.agg<string[]>('array_agg', ['rp.permission']), e.val<string[]>([])).as('p'))
        .whereRef('rp.role', '=', 'r.name')
        .as('permissions'),
      eb.selectFrom('user_roles as ur').select((e) => e.fn.countAll<number>().as('n')).whereRef('ur.role', '=', 'r.name').as('members'),
    ])
    .$if(only !== undefined, (qb) => qb.where('r.name', '=', only!))
    .orderBy('r.name')
    .execute();
  return roles.map((r) => ({
    name: r.name,
    description: r.description,
    builtIn: r.built_in,
    permissions: [...(r.permissions ?? [])].sort(),
    members: Number(r.members ?? 0),
  }));
}

/** The union of the given roles' permissions, sorted (unknown roles contribute nothing). */
export async function permissionsOfRoles(db: Kysely<Database>, roles: readonly string[]): Promise<string[]> {
  if (roles.length === 0) return [];
  const rows = await db.selectFrom('role_permissions').select('permission').distinct().where('role', 'in', roles).execute();
  return rows.map((r) => r.permission).sort();
}

export async function findRole(db: Kysely<Database>, role: string): Promise<RoleView | null> {
  return (await listRoles(db, role))[0] ?? null;
}
