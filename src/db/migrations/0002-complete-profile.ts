import { sql, type Kysely } from 'kysely';

/**
 * The complete profile (issue 3) on top of 0001, without rewriting it:
 * roles and permissions, preferences, job-seeker data (with the columns
 * reporting filters on), domain attribute definitions and values, exact
 * version snapshots, and the audit hash chain.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // --- Roles and permissions -------------------------------------------------
  await sql`
    create table roles (
      name text primary key check (name ~ '^[a-z][a-z0-9_]{1,62}$'),
      description text not null default '',
      built_in boolean not null default false,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`
    create table role_permissions (
      role text not null references roles (name) on delete cascade,
      permission text not null check (permission ~ '^[a-z]+:[a-z]+$'),
      primary key (role, permission)
    )`.execute(db);
  await sql`
    create table user_roles (
      user_id uuid not null references users (id) on delete cascade,
      role text not null references roles (name),
      granted_at timestamptz not null default now(),
      primary key (user_id, role)
    )`.execute(db);
  await sql`create index user_roles_role on user_roles (role)`.execute(db);
  await sql`
    insert into roles (name, description, built_in) values
      ('job_seeker', 'Every user: their own profile only', true),
      ('support', 'Read users, their history and reports', true),
      ('admin', 'Everything', true)`.execute(db);
  await sql`
    insert into role_permissions (role, permission)
    select 'support', p from unnest(array['users:read', 'audit:read', 'roles:read', 'reports:read', 'schema:read']) p
    union all
    select 'admin', p from unnest(array['users:read', 'users:write', 'users:erase', 'audit:read', 'roles:read', 'roles:write',
                                        'roles:assign', 'reports:read', 'schema:read', 'schema:write']) p`.execute(db);
  await sql`insert into user_roles (user_id, role) select id, 'job_seeker' from users`.execute(db);

  // --- Preferences ------------------------------------------------------------
  await sql`
    create table preferences (
      user_id uuid primary key references users (id) on delete cascade,
      language text,
      theme text not null default 'system',
      notifications jsonb not null default '{}'::jsonb,
      job_alert_frequency text not null default 'weekly',
      updated_at timestamptz not null default now()
    )`.execute(db);

  // --- Job-seeker data ---------------------------------------------------------
  // What reporting filters on is a column (indexable); lists of structured
  // entries that are only ever read whole stay jsonb.
  await sql`
    create table job_seeker_profiles (
      user_id uuid primary key references users (id) on delete cascade,
      open_to_work boolean not null default false,
      desired_titles text[] not null default '{}',
      desired_locations text[] not null default '{}',
      work_modes text[] not null default '{}',
      employment_types text[] not null default '{}',
      salary jsonb,
      years_of_experience smallint,
      notice_period_days smallint,
      experience jsonb not null default '[]'::jsonb,
      education jsonb not null default '[]'::jsonb,
      work_authorization jsonb not null default '[]'::jsonb,
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`insert into preferences (user_id) select id from users`.execute(db);
  await sql`insert into job_seeker_profiles (user_id) select id from users`.execute(db);
  await sql`create index job_seeker_open_to_work on job_seeker_profiles (user_id) where open_to_work`.execute(db);
  await sql`create index job_seeker_desired_titles on job_seeker_profiles using gin (desired_titles)`.execute(db);
  await sql`
    create table user_skills (
      user_id uuid not null references users (id) on delete cascade,
      position smallint not null,
      name text not null,
      name_key text generated always as (lower(name)) stored,
      level text,
      years smallint,
      primary key (user_id, position)
    )`.execute(db);
  await sql`create index user_skills_name_key on user_skills (name_key)`.execute(db);
  await sql`create index profiles_location_country on profiles (location_country)`.execute(db);

  // --- Domain attributes --------------------------------------------------------
  await sql`
    create table attribute_definitions (
      key text primary key check (key ~ '^[a-z][A-Za-z0-9_]{0,63}$'),
      version integer not null default 1,
      schema jsonb not null,
      description text not null default '',
      personal_data boolean not null,
      visibility text not null check (visibility in ('self', 'admins', 'public')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);
  await sql`
    create table attribute_definition_versions (
      key text not null references attribute_definitions (key) on delete cascade,
      version integer not null,
      schema jsonb not null,
      description text not null,
      personal_data boolean not null,
      visibility text not null,
      created_at timestamptz not null default now(),
      created_by text,
      primary key (key, version)
    )`.execute(db);
  await sql`
    create table user_attributes (
      user_id uuid not null references users (id) on delete cascade,
      key text not null references attribute_definitions (key),
      value jsonb not null,
      updated_at timestamptz not null default now(),
      primary key (user_id, key)
    )`.execute(db);
  await sql`create index user_attributes_key on user_attributes (key)`.execute(db);

  // --- Exact history -------------------------------------------------------------
  await sql`
    create table profile_versions (
      user_id uuid not null references users (id) on delete cascade,
      version integer not null,
      document jsonb not null,
      created_at timestamptz not null default now(),
      primary key (user_id, version)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'profile_versions',
    'user_attributes',
    'attribute_definition_versions',
    'attribute_definitions',
    'user_skills',
    'job_seeker_profiles',
    'preferences',
    'user_roles',
    'role_permissions',
    'roles',
  ]) {
    await sql`drop table ${sql.table(table)}`.execute(db);
  }
}
