import { sql, type Kysely } from 'kysely';
import type { Database, IdentityRow, ProfileRow, UserRow } from '../db/schema.js';
import type { DocumentRows, MediaRefColumns, Skill } from './model.js';

/** Which attributes a reader sees: the user (self + public), an administrator (all). */
export type Audience = 'self' | 'admin';

export type DocumentKey = { issuer: string; subject: string } | { userId: string; identityId?: string };

/**
 * Everything one profile document is built from, in one round trip. With
 * `{ issuer, subject }` the identity is the caller's; with `{ userId }` it is
 * the given identity or else the user's first one.
 */
export async function loadDocumentRows(db: Kysely<Database>, key: DocumentKey, audience: Audience): Promise<DocumentRows | null> {
  const identityFilter =
    'issuer' in key
      ? sql`i.issuer = ${key.issuer} and i.subject = ${key.subject}`
      : key.identityId !== undefined
        ? sql`i.user_id = ${key.userId} and i.id = ${key.identityId}`
        : sql`i.id = (select id from identities where user_id = ${key.userId} order by created_at, id limit 1)`;
  const attributeFilter = audience === 'admin' ? sql`true` : sql`d.visibility <> 'admins'`;

  const { rows } = await sql<RawRows>`
    select to_json(u) as "user", to_json(i) as identity, to_json(p) as profile, to_json(pr) as preferences, to_json(js) as job_seeker,
      (select coalesce(json_agg(json_build_object('name', s.name, 'level', s.level, 'years', s.years) order by s.position), '[]')
         from user_skills s where s.user_id = u.id) as skills,
      (select coalesce(json_object_agg(ua.key, ua.value), '{}')
         from user_attributes ua join attribute_definitions d on d.key = ua.key
        where ua.user_id = u.id and ${attributeFilter}) as attributes,
      (select coalesce(json_agg(ur.role order by ur.role), '[]') from user_roles ur where ur.user_id = u.id) as roles,
      (select coalesce(json_agg(distinct rp.permission order by rp.permission), '[]')
         from user_roles ur join role_permissions rp on rp.role = ur.role where ur.user_id = u.id) as permissions,
      (select json_build_object('id', m.id, 'kind', m.kind, 'content_type', m.content_type, 'size_bytes', m.size_bytes, 'file_name', m.file_name)
         from media m where m.id = p.photo_media_id) as photo,
      (select json_build_object('id', m.id, 'kind', m.kind, 'content_type', m.content_type, 'size_bytes', m.size_bytes, 'file_name', m.file_name)
         from media m where m.id = js.resume_media_id) as resume
    from identities i
    join users u on u.id = i.user_id
    join profiles p on p.user_id = u.id
    join preferences pr on pr.user_id = u.id
    join job_seeker_profiles js on js.user_id = u.id
    where ${identityFilter}`.execute(db);
  const raw = rows[0];
  if (raw === undefined) return null;
  return {
    user: withDates(raw.user, ['created_at', 'updated_at']) as UserRow,
    identity: withDates(raw.identity, ['created_at', 'updated_at']) as IdentityRow,
    profile: withDates(raw.profile, ['updated_at']) as ProfileRow,
    preferences: withDates(raw.preferences, ['updated_at']) as DocumentRows['preferences'],
    jobSeeker: withDates(raw.job_seeker, ['updated_at']) as DocumentRows['jobSeeker'],
    skills: raw.skills,
    attributes: raw.attributes,
    roles: raw.roles,
    permissions: raw.permissions,
    photo: raw.photo,
    resume: raw.resume,
  };
}

interface RawRows {
  user: Record<string, unknown>;
  identity: Record<string, unknown>;
  profile: Record<string, unknown>;
  preferences: Record<string, unknown>;
  job_seeker: Record<string, unknown>;
  skills: Skill[];
  attributes: Record<string, unknown>;
  roles: string[];
  permissions: string[];
  photo: MediaRefColumns | null;
  resume: MediaRefColumns | null;
}

/** A media item of the user as a link target (null when there is none, or it is someone else's). */
export async function findLinkTarget(
  db: Kysely<Database>,
  userId: string,
  id: string,
): Promise<(MediaRefColumns & { status: 'pending' | 'ready' }) | null> {
  const row = await db
    .selectFrom('media')
    .select(['id', 'kind', 'content_type', 'size_bytes', 'file_name', 'status'])
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row ?? null;
}

/** Metadata of every media item of the user, oldest first (for the export). */
export async function listMediaMetadata(db: Kysely<Database>, userId: string) {
  return db
    .selectFrom('media')
    .select(['id', 'kind', 'status', 'content_type', 'size_bytes', 'file_name', 'created_at', 'completed_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

// to_json renders timestamps as strings; the row types promise Dates.
function withDates(row: Record<string, unknown>, columns: string[]): Record<string, unknown> {
  const copy = { ...row };
  for (const column of columns) copy[column] = new Date(String(row[column]));
  return copy;
}

/** Locks the user row for the rest of the transaction: one change at a time per user. */
export async function lockUser(db: Kysely<Database>, userId: string): Promise<UserRow | null> {
  return (await db.selectFrom('users').selectAll().where('id', '=', userId).forUpdate().executeTakeFirst()) ?? null;
}

export async function replaceSkills(db: Kysely<Database>, userId: string, skills: Skill[]): Promise<void> {
  await db.deleteFrom('user_skills').where('user_id', '=', userId).execute();
  if (skills.length === 0) return;
  await db
    .insertInto('user_skills')
    .values(skills.map((s, position) => ({ user_id: userId, position, name: s.name, level: s.level, years: s.years })))
    .execute();
}

export async function saveVersionSnapshot(db: Kysely<Database>, userId: string, version: number, document: unknown): Promise<void> {
  await db.insertInto('profile_versions').values({ user_id: userId, version, document: JSON.stringify(document) }).execute();
}

export async function loadVersionSnapshot(db: Kysely<Database>, userId: string, version: number): Promise<unknown | null> {
  const row = await db
    .selectFrom('profile_versions')
    .select('document')
    .where('user_id', '=', userId)
    .where('version', '=', version)
    .executeTakeFirst();
  return row?.document ?? null;
}
