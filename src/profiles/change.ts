import type { Kysely, Transaction } from 'kysely';
import { appendAuditEvent, type Actor, type Change } from '../audit/index.js';
import type { Database, UserRow } from '../db/schema.js';
import { UserNotFoundError } from '../errors.js';
import { lockUser } from './repository.js';
import { snapshot } from './snapshot.js';

/**
 * Runs `fn` in a transaction holding the user's row lock: every change to
 * one user (profile, roles, media, identity) is serialised by it.
 */
export async function withUserLocked<T>(
  db: Kysely<Database>,
  userId: string,
  fn: (trx: Transaction<Database>, user: UserRow) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const user = await lockUser(trx, userId);
    if (user === null) throw new UserNotFoundError();
    return fn(trx, user);
  });
}

export interface ChangeRecord {
  actor: Actor;
  /** The channel: `api`, `admin_api`, `cli`, `post_confirmation`, … */
  source: string;
  /** `profile.updated`, `role.granted`, `media.added`, … */
  action: string;
  requestId?: string | null;
  changes: readonly Change[];
}

/**
 * The bookkeeping every change shares, after its own writes and inside
 * withUserLocked: version + 1, one audit event, a snapshot of the new
 * document. Returns the new version.
 */
export async function recordChange(trx: Kysely<Database>, user: Pick<UserRow, 'id' | 'version'>, change: ChangeRecord): Promise<number> {
  const version = user.version + 1;
  await trx.updateTable('users').set({ version, updated_at: new Date() }).where('id', '=', user.id).execute();
  await appendAuditEvent(trx, {
    userId: user.id,
    actor: change.actor,
    source: change.source,
    action: change.action,
    version,
    requestId: change.requestId ?? null,
    changes: change.changes,
  });
  await snapshot(trx, user.id, version);
  return version;
}
