import { sql, type Kysely } from 'kysely';

/**
 * Custom roles can be deleted (`DELETE /v1/roles/{role}`): the deletion is
 * a role_events row whose "after" is null — the role no longer exists.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table role_events alter column description_after drop not null, alter column permissions_after drop not null`.execute(db);
  await sql`alter table role_events add constraint role_events_after_check
    check ((action = 'role.deleted') = (description_after is null and permissions_after is null))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table role_events drop constraint role_events_after_check`.execute(db);
  await sql`alter table role_events alter column description_after set not null, alter column permissions_after set not null`.execute(db);
}
