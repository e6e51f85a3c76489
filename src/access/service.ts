import type { Kysely } from 'kysely';
import type { Actor } from '../audit/index.js';
import type { Database } from '../db/schema.js';
import { MalformedInputError, UserNotFoundError } from '../errors.js';
import { recordChange, withUserLocked } from '../profiles/change.js';
import { loadGrants, roleExists } from './repository.js';

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
): Promise<{ changed: boolean; version: number }> {
  return withUserLocked(db, userId, async (trx, user) => {
    if (!(await roleExists(trx, role))) throw new UnknownRoleError(role);
    const before = (await loadGrants(trx, userId)).roles;
    if (before.includes(role)) return { changed: false, version: user.version };

    await trx.insertInto('user_roles').values({ user_id: userId, role }).execute();
    const version = await recordChange(trx, user, {
      actor,
      source: context.source,
      action: 'role.granted',
      requestId: context.requestId ?? null,
      changes: [{ path: '/roles', from: before, to: [...before, role].sort() }],
    });
    return { changed: true, version };
  });
}

/** The user id behind an email address; refuses when several users share it. */
export async function userIdByEmail(db: Kysely<Database>, email: string): Promise<string> {
  const rows = await db.selectFrom('identities').select('user_id').distinct().where('email', '=', email).limit(2).execute();
  if (rows.length === 0) throw new UserNotFoundError();
  if (rows.length > 1) throw new MalformedInputError(`Several users have the email ${email}; use --user <id>`);
  return rows[0]!.user_id;
}
