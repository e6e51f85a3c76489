import { sql, type Kysely } from 'kysely';

/**
 * Administration (issue 5): what admin search, the audit query and reports
 * need to stay fast at a million users, and the record of role definitions.
 *
 * - `user_search`: one narrow row per user, derived from users, identities,
 *   profiles, job_seeker_profiles and user_skills. Everything search filters
 *   or sorts on (and the report counts) sits in one table, so one index can
 *   both filter and give the stable order (created_at, user_id); the free
 *   text is one trigram-indexed column. It is a read model: never written
 *   by the application, kept current by statement- and row-level triggers
 *   on its sources through one function (`user_search_refresh`), whose only
 *   definition of a row is the view `user_search_source`. Free text: a
 *   substring of `search_text` (trigram GIN), or a name/headline word in
 *   `name_tokens` (GIN) that the dictionary `search_words` says is close to
 *   a query word (typos).
 * - Audit query indexes: keyset over (occurred_at, id), by actor, by action.
 * - `role_events`: append-only record of custom role definitions (a role
 *   has no user, so it cannot live in a user's audit chain).
 *
 * Bulk loaders (`profile-service seed`) switch the triggers off for their
 * transaction with `set local profile_service.search_sync = 'off'` and
 * insert from `user_search_source` themselves, once per batch.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // Trusted extension (PostgreSQL 13+): the database owner may create it.
  await sql`create extension if not exists pg_trgm`.execute(db);

  // The typo dictionary: every word that ever was in a name or headline
  // (never pruned: a stale word only expands to no user). A query word is
  // matched against it by trigram similarity; the words found are then
  // looked up exactly in user_search.name_tokens (GIN). No similarity is
  // ever computed per user row.
  await sql`create table search_words (word text primary key)`.execute(db);
  await sql`
    create table user_search (
      user_id uuid primary key references users (id) on delete cascade,
      created_at timestamptz not null,
      status text not null,
      email_key text,
      search_text text not null,
      name_tokens text[] not null,
      skills text[] not null,
      country char(2),
      open_to_work boolean not null,
      completeness smallint not null
    )`.execute(db);

  // The one definition of a search row. Completeness: ten checks, 10 points each.
  await sql`
    create view user_search_source as
    select u.id as user_id,
           u.created_at,
           u.status,
           lower(i.email) as email_key,
           lower(concat_ws(' ', p.given_name, p.family_name, p.display_name, i.email, p.headline)) as search_text,
           array(select w from (select distinct w
                                from regexp_split_to_table(lower(concat_ws(' ', p.given_name, p.family_name, p.display_name, p.headline)),
                                                           '[[:space:][:punct:]]+') w
                                where length(w) >= 2) d
                 order by w collate "C") as name_tokens,
           array(select k.name_key from user_skills k where k.user_id = u.id order by k.name_key collate "C") as skills,
           p.location_country as country,
           coalesce(j.open_to_work, false) as open_to_work,
           (10 * ((p.given_name is not null)::int + (p.family_name is not null)::int + (p.date_of_birth is not null)::int
                + (p.headline is not null)::int + (p.bio is not null)::int + (p.location_country is not null)::int
                + (coalesce(p.social_links ->> 'linkedin', '') <> '')::int
                + (exists (select 1 from user_skills k where k.user_id = u.id))::int
                + (coalesce(jsonb_array_length(j.experience), 0) > 0)::int
                + (coalesce(jsonb_array_length(j.education), 0) > 0)::int))::smallint as completeness
    from users u
    left join profiles p on p.user_id = u.id
    left join job_seeker_profiles j on j.user_id = u.id
    left join lateral (select email from identities where user_id = u.id order by created_at, id limit 1) i on true`.execute(db);

  await sql`
    create function user_search_refresh(ids uuid[]) returns void language sql volatile as $$
      insert into user_search as s (user_id, created_at, status, email_key, search_text, name_tokens, skills, country, open_to_work, completeness)
      select user_id, created_at, status, email_key, search_text, name_tokens, skills, country, open_to_work, completeness
      from user_search_source where user_id = any(ids)
      on conflict (user_id) do update set
        created_at = excluded.created_at, status = excluded.status, email_key = excluded.email_key,
        search_text = excluded.search_text, name_tokens = excluded.name_tokens, skills = excluded.skills,
        country = excluded.country, open_to_work = excluded.open_to_work, completeness = excluded.completeness
      where (s.created_at, s.status, s.email_key, s.search_text, s.name_tokens, s.skills, s.country, s.open_to_work, s.completeness)
            is distinct from
            (excluded.created_at, excluded.status, excluded.email_key, excluded.search_text, excluded.name_tokens, excluded.skills,
             excluded.country, excluded.open_to_work, excluded.completeness);
      -- New words for the typo dictionary, in one order (concurrent refreshes never deadlock on it).
      insert into search_words (word)
      select w from (select distinct unnest(name_tokens) as w from user_search where user_id = any(ids)) d order by w collate "C"
      on conflict do nothing
    $$`.execute(db);

  // Statement-level (one refresh per statement, also for COPY) where rows
  // come in sets; row-level for updates, which can name their columns.
  await sql`
    create function user_search_sync_statement() returns trigger language plpgsql as $$
    begin
      if current_setting('profile_service.search_sync', true) = 'off' then return null; end if;
      if tg_table_name = 'users' then
        perform user_search_refresh(array(select distinct id from changed));
      else
        perform user_search_refresh(array(select distinct user_id from changed));
      end if;
      return null;
    end
    $$`.execute(db);
  await sql`
    create function user_search_sync_row() returns trigger language plpgsql as $$
    begin
      if current_setting('profile_service.search_sync', true) = 'off' then return null; end if;
      if tg_table_name = 'users' then
        perform user_search_refresh(array[new.id]);
      else
        perform user_search_refresh(array[new.user_id]);
      end if;
      return null;
    end
    $$`.execute(db);

  const statementTriggers: [table: string, event: 'insert' | 'delete'][] = [
    ['users', 'insert'],
    ['identities', 'insert'],
    ['identities', 'delete'],
    ['profiles', 'insert'],
    ['job_seeker_profiles', 'insert'],
    ['user_skills', 'insert'],
    ['user_skills', 'delete'],
  ];
  for (const [table, event] of statementTriggers) {
    const transition = event === 'insert' ? sql`new table as changed` : sql`old table as changed`;
    await sql`
      create trigger ${sql.id(`${table}_search_${event}`)} after ${sql.raw(event)} on ${sql.table(table)}
      referencing ${transition} for each statement execute function user_search_sync_statement()`.execute(db);
  }
  const rowTriggers: [table: string, when: string][] = [
    ['users', 'old.status is distinct from new.status or old.created_at is distinct from new.created_at'],
    ['identities', 'old.email is distinct from new.email or old.user_id is distinct from new.user_id'],
    ['profiles', 'old.* is distinct from new.*'],
    ['job_seeker_profiles', 'old.open_to_work is distinct from new.open_to_work or old.experience is distinct from new.experience or old.education is distinct from new.education'],
  ];
  for (const [table, when] of rowTriggers) {
    await sql`
      create trigger ${sql.id(`${table}_search_update`)} after update on ${sql.table(table)}
      for each row when (${sql.raw(when)}) execute function user_search_sync_row()`.execute(db);
  }

  await sql`
    insert into user_search (user_id, created_at, status, email_key, search_text, name_tokens, skills, country, open_to_work, completeness)
    select user_id, created_at, status, email_key, search_text, name_tokens, skills, country, open_to_work, completeness from user_search_source`.execute(db);
  await sql`insert into search_words (word) select distinct unnest(name_tokens) from user_search`.execute(db);

  // Every search is ordered by (created_at, user_id) descending: each filter
  // index ends with them, so the filter and the keyset share one range scan.
  await sql`create index user_search_created on user_search (created_at, user_id)`.execute(db);
  await sql`create index user_search_country on user_search (country, created_at, user_id)`.execute(db);
  await sql`create index user_search_email on user_search (email_key)`.execute(db);
  await sql`create index user_search_text on user_search using gin (search_text gin_trgm_ops)`.execute(db);
  await sql`create index user_search_tokens on user_search using gin (name_tokens)`.execute(db);
  await sql`create index user_search_skills on user_search using gin (skills)`.execute(db);
  await sql`create index search_words_trgm on search_words using gin (word gin_trgm_ops)`.execute(db);

  // --- Audit query: keyset over (occurred_at, id) -----------------------------
  await sql`create index audit_events_occurred on audit_events (occurred_at, id)`.execute(db);
  await sql`create index audit_events_actor on audit_events (actor_id, occurred_at, id)`.execute(db);
  await sql`create index audit_events_action on audit_events (action, occurred_at, id)`.execute(db);

  // --- Role definitions ----------------------------------------------------------
  await sql`
    create table role_events (
      id uuid primary key default uuid_generate_v7(),
      role text not null,
      occurred_at timestamptz not null default now(),
      actor_type text not null check (actor_type in ('user', 'admin', 'system')),
      actor_id text,
      source text not null,
      action text not null,
      request_id text,
      description_before text,
      description_after text not null,
      permissions_before text[],
      permissions_after text[] not null
    )`.execute(db);
  await sql`create index role_events_role on role_events (role, occurred_at)`.execute(db);
  await sql`
    create function role_events_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'role_events is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
    end
    $$`.execute(db);
  await sql`
    create trigger role_events_no_update_delete before update or delete on role_events
    for each row execute function role_events_append_only()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table role_events`.execute(db);
  await sql`drop function role_events_append_only()`.execute(db);
  await sql`drop index audit_events_action`.execute(db);
  await sql`drop index audit_events_actor`.execute(db);
  await sql`drop index audit_events_occurred`.execute(db);
  for (const [table, event] of [
    ['users', 'insert'],
    ['identities', 'insert'],
    ['identities', 'delete'],
    ['profiles', 'insert'],
    ['job_seeker_profiles', 'insert'],
    ['user_skills', 'insert'],
    ['user_skills', 'delete'],
    ['users', 'update'],
    ['identities', 'update'],
    ['profiles', 'update'],
    ['job_seeker_profiles', 'update'],
  ] as const) {
    await sql`drop trigger ${sql.id(`${table}_search_${event}`)} on ${sql.table(table)}`.execute(db);
  }
  await sql`drop function user_search_sync_row()`.execute(db);
  await sql`drop function user_search_sync_statement()`.execute(db);
  await sql`drop function user_search_refresh(uuid[])`.execute(db);
  await sql`drop view user_search_source`.execute(db);
  await sql`drop table user_search`.execute(db);
  await sql`drop table search_words`.execute(db);
  // pg_trgm stays: other objects may use it, and it is harmless.
}
