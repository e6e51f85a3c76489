import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { UserNotFoundError } from '../errors.js';
import { loadDocumentRows, toProfileDocument, type ProfileDocument } from '../profiles/index.js';

/** The admin view of one user: the whole document, admins-only attributes included. */
export async function getUserDocument(db: Kysely<Database>, userId: string): Promise<ProfileDocument> {
  const rows = await loadDocumentRows(db, { userId }, 'admin');
  if (rows === null) throw new UserNotFoundError();
  return toProfileDocument(rows);
}
