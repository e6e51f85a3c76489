import { sql, type Kysely } from 'kysely';

/**
 * Media (issue 4): references to objects in S3, never the bytes. The
 * database must never point at an object that is missing, of the wrong kind
 * or someone else's, so besides the service's own checks:
 *
 * - the photo and resume links are composite foreign keys on (media id,
 *   user id): a link can only name an existing item of the same user;
 * - a trigger refuses a link to an item of the wrong kind or not yet ready;
 * - the links have no ON DELETE action: deleting a linked item fails unless
 *   the link was cleared first, which the service does as a versioned,
 *   audited change (a silent SET NULL would change the document without a
 *   version). NO ACTION is checked at the end of the statement, so deleting a
 *   user still cascades to both the profile and its media.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table media (
      id uuid primary key default uuid_generate_v7(),
      user_id uuid not null references users (id) on delete cascade,
      kind text not null check (kind in ('photo', 'resume', 'document')),
      status text not null default 'pending' check (status in ('pending', 'ready')),
      content_type text not null check (length(content_type) between 1 and 255),
      size_bytes bigint not null check (size_bytes > 0),
      file_name text not null check (length(file_name) between 1 and 255),
      object_key text not null unique check (object_key ~ '^media/[0-9a-f]{32}/[0-9a-f-]{36}$'),
      created_at timestamptz not null default now(),
      upload_expires_at timestamptz not null,
      completed_at timestamptz,
      check ((status = 'ready') = (completed_at is not null)),
      unique (id, user_id)
    )`.execute(db);
  await sql`create index media_user_created on media (user_id, created_at desc)`.execute(db);
  await sql`create index media_pending_expiry on media (upload_expires_at) where status = 'pending'`.execute(db);

  // Once ready, an item stays what it was checked to be.
  await sql`
    create function media_immutable() returns trigger language plpgsql as $$
    begin
      if new.user_id <> old.user_id or new.kind <> old.kind or new.object_key <> old.object_key
         or new.content_type <> old.content_type or new.size_bytes <> old.size_bytes
         or (old.status = 'ready' and new.status <> 'ready') then
        raise exception 'media % cannot change its owner, kind, object, type, size or readiness', old.id
          using errcode = 'check_violation';
      end if;
      return new;
    end
    $$`.execute(db);
  await sql`create trigger media_immutable before update on media for each row execute function media_immutable()`.execute(db);

  // tg_argv: the link column, the kind it must name.
  await sql`
    create function media_link_check() returns trigger language plpgsql as $$
    declare
      linked uuid := (to_jsonb(new) ->> tg_argv[0])::uuid;
    begin
      if linked is not null and not exists (
        select 1 from media m where m.id = linked and m.user_id = new.user_id and m.kind = tg_argv[1] and m.status = 'ready'
      ) then
        raise exception '% must name a ready % of the same user', tg_argv[0], tg_argv[1] using errcode = 'check_violation';
      end if;
      return new;
    end
    $$`.execute(db);

  await sql`alter table profiles add column photo_media_id uuid`.execute(db);
  await sql`
    alter table profiles add constraint profiles_photo_media_fk
      foreign key (photo_media_id, user_id) references media (id, user_id)`.execute(db);
  await sql`create index profiles_photo_media_id on profiles (photo_media_id) where photo_media_id is not null`.execute(db);
  await sql`
    create trigger profiles_photo_media_check before insert or update of photo_media_id on profiles
    for each row execute function media_link_check('photo_media_id', 'photo')`.execute(db);

  await sql`alter table job_seeker_profiles add column resume_media_id uuid`.execute(db);
  await sql`
    alter table job_seeker_profiles add constraint job_seeker_resume_media_fk
      foreign key (resume_media_id, user_id) references media (id, user_id)`.execute(db);
  await sql`create index job_seeker_resume_media_id on job_seeker_profiles (resume_media_id) where resume_media_id is not null`.execute(db);
  await sql`
    create trigger job_seeker_resume_media_check before insert or update of resume_media_id on job_seeker_profiles
    for each row execute function media_link_check('resume_media_id', 'resume')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger job_seeker_resume_media_check on job_seeker_profiles`.execute(db);
  await sql`alter table job_seeker_profiles drop column resume_media_id`.execute(db);
  await sql`drop trigger profiles_photo_media_check on profiles`.execute(db);
  await sql`alter table profiles drop column photo_media_id`.execute(db);
  await sql`drop function media_link_check()`.execute(db);
  await sql`drop table media`.execute(db);
  await sql`drop function media_immutable()`.execute(db);
}
