import { sql, type Kysely } from 'kysely';

/**
 * Erasure: objects whose deletion from S3 is still owed. Filled in the
 * erasing transaction, emptied as the deletions succeed; a failed deletion
 * stays here to be retried (never silently forgotten). Object keys carry no
 * personal data.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table erasure_object_deletions (
      object_key text primary key,
      user_id uuid not null,
      requested_at timestamptz not null default now(),
      attempts integer not null default 0,
      last_error text
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table erasure_object_deletions`.execute(db);
}
