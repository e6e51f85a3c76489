import type { Kysely } from 'kysely';
import type { Database, IdentityRow, ProfileRow, UserRow } from '../db/schema.js';

export interface ProfileRows {
  user: UserRow;
  identity: IdentityRow;
  profile: ProfileRow;
}

/**
 * The rows behind one profile document. `identity` is the one the caller
 * authenticated with when given, else the user's first identity.
 * `forUpdate` locks the user row: concurrent changes to one user serialise.
 */
export async function loadProfileRows(
  db: Kysely<Database>,
  userId: string,
  options: { identityId?: string; forUpdate?: boolean } = {},
): Promise<ProfileRows | null> {
  let userQuery = db.selectFrom('users').selectAll().where('id', '=', userId);
  if (options.forUpdate) userQuery = userQuery.forUpdate();
  const user = await userQuery.executeTakeFirst();
  if (user === undefined) return null;

  let identityQuery = db.selectFrom('identities').selectAll().where('user_id', '=', userId);
  identityQuery = options.identityId
    ? identityQuery.where('id', '=', options.identityId)
    : identityQuery.orderBy('created_at').orderBy('id').limit(1);
  const [identity, profile] = await Promise.all([
    identityQuery.executeTakeFirst(),
    db.selectFrom('profiles').selectAll().where('user_id', '=', userId).executeTakeFirst(),
  ]);
  if (identity === undefined || profile === undefined) return null;
  return { user, identity, profile };
}

/** One round trip for the hot path: user, caller identity and profile by (issuer, subject). */
export async function loadProfileRowsByIdentity(
  db: Kysely<Database>,
  issuer: string,
  subject: string,
): Promise<ProfileRows | null> {
  const row = await db
    .selectFrom('identities as i')
    .innerJoin('users as u', 'u.id', 'i.user_id')
    .innerJoin('profiles as p', 'p.user_id', 'i.user_id')
    .select((eb) => [
      eb.fn.toJson('u').as('user'),
      eb.fn.toJson('i').as('identity'),
      eb.fn.toJson('p').as('profile'),
    ])
    .where('i.issuer', '=', issuer)
    .where('i.subject', '=', subject)
    .executeTakeFirst();
  if (row === undefined) return null;
  return { user: reviveUser(row.user), identity: reviveIdentity(row.identity), profile: reviveProfile(row.profile) };
}

// to_json turns timestamps into strings; the row types promise Dates.
function reviveUser(raw: unknown): UserRow {
  const row = raw as UserRow & { created_at: string; updated_at: string };
  return { ...row, created_at: new Date(row.created_at), updated_at: new Date(row.updated_at) };
}

function reviveIdentity(raw: unknown): IdentityRow {
  const row = raw as IdentityRow & { created_at: string; updated_at: string };
  return { ...row, created_at: new Date(row.created_at), updated_at: new Date(row.updated_at) };
}

function reviveProfile(raw: unknown): ProfileRow {
  const row = raw as ProfileRow & { updated_at: string };
  return { ...row, updated_at: new Date(row.updated_at) };
}
