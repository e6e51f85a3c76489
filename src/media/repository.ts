import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { toMediaItem, type MediaItem, type MediaKind, type MediaStatus } from './model.js';

export interface NewMedia {
  userId: string;
  kind: MediaKind;
  contentType: string;
  sizeBytes: number;
  fileName: string;
  objectKey: string;
  uploadExpiresAt: Date;
}

export async function insertMedia(db: Kysely<Database>, media: NewMedia): Promise<MediaItem> {
  const row = await db
    .insertInto('media')
    .values({
      user_id: media.userId,
      kind: media.kind,
      content_type: media.contentType,
      size_bytes: media.sizeBytes,
      file_name: media.fileName,
      object_key: media.objectKey,
      upload_expires_at: media.uploadExpiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toMediaItem(row);
}

/** The user's item, or null (also when it belongs to someone else). `forUpdate` locks the row. */
export async function findMedia(db: Kysely<Database>, userId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<MediaItem | null> {
  const row = await db
    .selectFrom('media')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .$if(options.forUpdate === true, (qb) => qb.forUpdate())
    .executeTakeFirst();
  return row === undefined ? null : toMediaItem(row);
}

export async function listMedia(
  db: Kysely<Database>,
  userId: string,
  filter: { kind?: MediaKind | undefined; status?: MediaStatus | undefined } = {},
): Promise<MediaItem[]> {
  const rows = await db
    .selectFrom('media')
    .selectAll()
    .where('user_id', '=', userId)
    .$if(filter.kind !== undefined, (qb) => qb.where('kind', '=', filter.kind!))
    .$if(filter.status !== undefined, (qb) => qb.where('status', '=', filter.status!))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toMediaItem);
}

export async function countMedia(db: Kysely<Database>, userId: string): Promise<{ pending: number; total: number }> {
  const row = await db
    .selectFrom('media')
    .select((eb) => [eb.fn.countAll<number>().as('total'), eb.fn.countAll<number>().filterWhere('status', '=', 'pending').as('pending')])
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return { pending: Number(row.pending), total: Number(row.total) };
}

export async function markReady(db: Kysely<Database>, id: string, at: Date): Promise<MediaItem> {
  const row = await db
    .updateTable('media')
    .set({ status: 'ready', completed_at: at })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return toMediaItem(row);
}

export async function deleteMediaRow(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('media').where('id', '=', id).execute();
}

/** The user's ready items among `ids`. */
export async function readyItems(db: Kysely<Database>, userId: string, ids: readonly string[]): Promise<MediaItem[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('media')
    .selectAll()
    .where('user_id', '=', userId)
    .where('status', '=', 'ready')
    .where('id', 'in', ids)
    .execute();
  return rows.map(toMediaItem);
}

/** Where the item is linked from the profile document (JSON Pointers), so the link can be cleared first. */
export async function linksTo(db: Kysely<Database>, userId: string, id: string): Promise<{ photo: boolean; resume: boolean }> {
  const [photo, resume] = await Promise.all([
    db.selectFrom('profiles').select('user_id').where('user_id', '=', userId).where('photo_media_id', '=', id).executeTakeFirst(),
    db.selectFrom('job_seeker_profiles').select('user_id').where('user_id', '=', userId).where('resume_media_id', '=', id).executeTakeFirst(),
  ]);
  return { photo: photo !== undefined, resume: resume !== undefined };
}

export async function clearLinks(db: Kysely<Database>, userId: string, links: { photo: boolean; resume: boolean }, at: Date): Promise<void> {
  if (links.photo) await db.updateTable('profiles').set({ photo_media_id: null, updated_at: at }).where('user_id', '=', userId).execute();
  if (links.resume) await db.updateTable('job_seeker_profiles').set({ resume_media_id: null, updated_at: at }).where('user_id', '=', userId).execute();
}

// --- Cleanup ---------------------------------------------------------------------

/** Pending items whose upload window closed before `before`, a page at a time in id (= creation) order. */
export async function expiredPendingPage(db: Kysely<Database>, before: Date, afterId: string | null, limit: number): Promise<MediaItem[]> {
  const rows = await db
    .selectFrom('media')
    .selectAll()
    .where('status', '=', 'pending')
    .where('upload_expires_at', '<', before)
    .$if(afterId !== null, (qb) => qb.where('id', '>', afterId!))
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toMediaItem);
}

/** Deletes the item only while it is still pending (a concurrent `complete` wins); true when deleted. */
export async function deletePendingRow(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db.deleteFrom('media').where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The subset of `keys` that some item references. */
export async function referencedKeys(db: Kysely<Database>, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db.selectFrom('media').select('object_key').where('object_key', 'in', keys).execute();
  return new Set(rows.map((r) => r.object_key));
}
