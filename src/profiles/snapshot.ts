import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { UserNotFoundError } from '../errors.js';
import { toProfileDocument } from './model.js';
import { loadDocumentRows, saveVersionSnapshot } from './repository.js';

/**
 * Stores the whole document (every attribute, the user's first identity) as
 * it is now, under its version, for `versions/{n}`. Call it inside the
 * transaction that made the change, after the change.
 */
export async function snapshot(db: Kysely<Database>, userId: string, version: number): Promise<void> {
  const rows = await loadDocumentRows(db, { userId }, 'admin');
  if (rows === null) throw new UserNotFoundError();
  await saveVersionSnapshot(db, userId, version, toProfileDocument(rows));
}
