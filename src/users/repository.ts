import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export async function findUserIdByIdentity(db: Kysely<Database>, issuer: string, subject: string): Promise<string | null> {
  const row = await db
    .selectFrom('identities')
    .select('user_id')
    .where('issuer', '=', issuer)
    .where('subject', '=', subject)
    .executeTakeFirst();
  return row?.user_id ?? null;
}
