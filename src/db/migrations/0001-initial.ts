import { sql, type Kysely } from 'kysely';

/**
 * The first schema: users, the identities that point at them, the core
 * profile, and the append-only audit trail. Later features (preferences,
 * job-seeker data, media, roles) arrive as new tables keyed by user_id, so
 * this migration never needs rewriting.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // UUID v7 (time-ordered, RFC 9562): PostgreSQL 15 has no built-in, and a
  // database default keeps every insert path (SQL, COPY, triggers) consistent.
  await sql`
    create function uuid_generate_v7() returns uuid language sql volatile parallel safe as $$
      select encode(
        set_bit(set_bit(
          overlay(uuid_send(gen_random_uuid())
                  placing substring(int8send((extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
                  from 1 for 6),
          52, 1), 53, 1),
        'hex')::uuid
    $$`.execute(db);

  await sql`
    create table users (
      id uuid primary key default uuid_generate_v7(),
      status text not null default 'active' check (status in ('active', 'disabled', 'erased')),
      version integer not null default 1 check (version >= 1),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);

  // The foreign key is deferred so that provisioning can claim (issuer,
  // subject) first and create the user in the same transaction only when the
  // claim succeeded: concurrent duplicates never leave an orphan user.
  await sql`
    create table identities (
      id uuid primary key default uuid_generate_v7(),
      user_id uuid not null references users (id) on delete cascade deferrable initially deferred,
      issuer text not null check (length(issuer) between 1 and 2048),
      subject text not null check (length(subject) between 1 and 255),
      email text,
      email_verified boolean,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (issuer, subject)
    )`.execute(db);
  await sql`create index identities_user_id on identities (user_id)`.execute(db);

  await sql`
    create table profiles (
      user_id uuid primary key references users (id) on delete cascade,
      given_name text,
      family_name text,
      display_name text,
      date_of_birth date,
      mobile_phone text,
      locale text,
      time_zone text,
      headline text,
      bio text,
      location_city text,
      location_region text,
      location_country char(2),
      social_links jsonb not null default '{}'::jsonb,
      updated_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table audit_events (
      id uuid primary key default uuid_generate_v7(),
      user_id uuid not null,
      occurred_at timestamptz not null default now(),
      actor_type text not null check (actor_type in ('user', 'admin', 'system')),
      actor_id text,
      source text not null,
      action text not null,
      version integer not null,
      request_id text,
      changes jsonb not null default '[]'::jsonb
    )`.execute(db);
  // No foreign key to users: the trail must outlive an erased user's rows.
  await sql`create index audit_events_user_version on audit_events (user_id, version desc, id desc)`.execute(db);

  // Append-only, enforced by the database itself and not only by the code.
  await sql`
    create function audit_events_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_events is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
    end
    $$`.execute(db);
  await sql`
    create trigger audit_events_no_update_delete before update or delete on audit_events
    for each row execute function audit_events_append_only()`.execute(db);
  await sql`
    create trigger audit_events_no_truncate before truncate on audit_events
    for each statement execute function audit_events_append_only()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table audit_events`.execute(db);
  await sql`drop function audit_events_append_only()`.execute(db);
  await sql`drop table profiles`.execute(db);
  await sql`drop table identities`.execute(db);
  await sql`drop table users`.execute(db);
  await sql`drop function uuid_generate_v7()`.execute(db);
}
