import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** The user and identity row behind (issuer, subject), or null. */
export async function findIdentity(
  db: Kysely<Database>,
  issuer: string,
  subject: string,
): Promise<{ userId: string; identityId: string } | null> {
  const row = await db
    .selectFrom('identities')
    .select(['id', 'user_id'])
    .where('issuer', '=', issuer)
    .where('subject', '=', subject)
    .executeTakeFirst();
  return row === undefined ? null : { userId: row.user_id, identityId: row.id };
}

export async function findUserIdByIdentity(db: Kysely<Database>, issuer: string, subject: string): Promise<string | null> {
  return (await findIdentity(db, issuer, subject))?.userId ?? null;
}
