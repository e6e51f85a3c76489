import type { Kysely } from 'kysely';
import { diffDocuments, type Actor, type Change } from '../audit/index.js';
import type { Database } from '../db/schema.js';
import { ValidationError, type FieldError } from '../errors.js';
import { recordChange, withUserLocked, type MediaRef } from '../profiles/index.js';
import { MediaLimitError, MediaMismatchError, MediaNotFoundError, MediaNotUploadedError } from './errors.js';
import {
  checkUploadRequest,
  contentDisposition,
  newObjectKey,
  type MediaItem,
  type MediaKind,
  type MediaLimits,
  type MediaStatus,
  type UploadRequest,
} from './model.js';
import {
  clearLinks,
  countMedia,
  deleteMediaRow,
  findMedia,
  insertMedia,
  linksTo,
  listMedia,
  markReady,
  readyItems,
} from './repository.js';
import { looksLike, SNIFF_BYTES } from './sniff.js';
import type { MediaStorage, PresignedRequest, PresignedUrl } from './storage.js';

/** What the media service works with; built once per process. */
export interface MediaContext {
  db: Kysely<Database>;
  storage: MediaStorage;
  limits: MediaLimits;
  now?: () => Date;
}

/** Who asked, for the audit trail. */
export interface MediaChange {
  actor: Actor;
  source: string;
  requestId: string | null;
}

const now = (ctx: MediaContext) => (ctx.now ?? (() => new Date()))();

/**
 * Step 1 of an upload: checks the request, reserves a pending item (within
 * the per-user limits, under the user's lock so that concurrent requests
 * cannot overshoot them) and returns a presigned PUT for it. A pending item
 * is not part of the user's data yet, so this is neither versioned nor
 * audited; `complete` is.
 */
export async function requestUpload(ctx: MediaContext, userId: string, input: UploadRequest): Promise<{ item: MediaItem; upload: PresignedRequest }> {
  const { request, errors } = checkUploadRequest(input, ctx.limits);
  if (errors.length > 0) throw new ValidationError(errors);
  const objectKey = newObjectKey(userId);
  // Signing is local (no call to S3), so it is done before the row exists:
  // the row's expiry is then exactly the URL's.
  const upload = await ctx.storage.presignUpload({
    key: objectKey,
    contentType: request.contentType,
    sizeBytes: request.sizeBytes,
    expiresInSeconds: ctx.limits.uploadUrlSeconds,
  });
  const item = await withUserLocked(ctx.db, userId, async (trx) => {
    await checkQuota(trx, userId, ctx.limits);
    return insertMedia(trx, { userId, ...request, objectKey, uploadExpiresAt: upload.expiresAt });
  });
  return { item, upload };
}

async function checkQuota(db: Kysely<Database>, userId: string, limits: MediaLimits): Promise<void> {
  const counts = await countMedia(db, userId);
  if (counts.pending >= limits.maxPendingPerUser) {
    throw new MediaLimitError(`At most ${limits.maxPendingPerUser} uploads may be pending at once; complete or delete one first`);
  }
  if (counts.total >= limits.maxItemsPerUser) {
    throw new MediaLimitError(`At most ${limits.maxItemsPerUser} media items are kept per user; delete one first`);
  }
}

/**
 * Step 2: checks the uploaded object (it exists, has the declared size and
 * content type, and its first bytes fit that type), then marks the item
 * ready as a versioned, audited change (`media.added`). Completing a ready
 * item again changes nothing.
 */
export async function completeUpload(ctx: MediaContext, userId: string, id: string, by: MediaChange): Promise<MediaItem> {
  const item = await findMedia(ctx.db, userId, id);
  if (item === null) throw new MediaNotFoundError();
  if (item.status === 'ready') return item;
  // Outside the transaction: no row lock is held while S3 answers.
  await verifyUpload(ctx.storage, item);
  return withUserLocked(ctx.db, userId, async (trx, user) => {
    const locked = await findMedia(trx, userId, id, { forUpdate: true });
    if (locked === null) throw new MediaNotFoundError();
    if (locked.status === 'ready') return locked;
    const ready = await markReady(trx, id, now(ctx));
    await recordChange(trx, user, {
      ...by,
      action: 'media.added',
      changes: [{ path: mediaPointer(id), from: null, to: auditValue(ready) }],
    });
    return ready;
  });
}

async function verifyUpload(storage: MediaStorage, item: MediaItem): Promise<void> {
  const head = await storage.head(item.objectKey);
  if (head === null) throw new MediaNotUploadedError();
  const errors: FieldError[] = [];
  if (head.sizeBytes !== item.sizeBytes) {
    errors.push({ pointer: '/sizeBytes', message: `the uploaded object has ${head.sizeBytes} bytes; ${item.sizeBytes} were declared` });
  }
  const storedType = head.contentType?.trim().toLowerCase() ?? null;
  if (storedType !== item.contentType) {
    errors.push({ pointer: '/contentType', message: `the uploaded object is ${storedType ?? 'untyped'}; ${item.contentType} was declared` });
  }
  if (errors.length === 0 && !looksLike(item.contentType, await storage.readStart(item.objectKey, SNIFF_BYTES))) {
    errors.push({ pointer: '/contentType', message: `the uploaded content is not ${item.contentType}` });
  }
  if (errors.length > 0) throw new MediaMismatchError(errors);
}

export async function getMediaItem(ctx: MediaContext, userId: string, id: string): Promise<MediaItem> {
  const item = await findMedia(ctx.db, userId, id);
  if (item === null) throw new MediaNotFoundError();
  return item;
}

export async function listMediaItems(
  ctx: MediaContext,
  userId: string,
  filter: { kind?: MediaKind | undefined; status?: MediaStatus | undefined } = {},
): Promise<MediaItem[]> {
  return listMedia(ctx.db, userId, filter);
}

/**
 * Deletes the reference, then the object. A link to the item from the
 * document (photo, resume) is cleared in the same versioned, audited change
 * (`media.deleted`); deleting a pending item, which was never part of the
 * user's data, records nothing. The object goes after the commit: if that
 * fails the reference is already gone, and `media cleanup` removes the
 * unreferenced object later (the reverse order could leave a reference to a
 * missing object).
 */
export async function deleteMediaItem(ctx: MediaContext, userId: string, id: string, by: MediaChange): Promise<{ objectDeleted: boolean; error?: unknown }> {
  const item = await withUserLocked(ctx.db, userId, async (trx, user) => {
    const found = await findMedia(trx, userId, id, { forUpdate: true });
    if (found === null) throw new MediaNotFoundError();
    const links = await linksTo(trx, userId, id);
    const changes: Change[] = [];
    if (links.photo) changes.push(...diffDocuments(toRef(found), null, '/profile/photo'));
    if (links.resume) changes.push(...diffDocuments(toRef(found), null, '/jobSeeker/resume'));
    if (found.status === 'ready') changes.push({ path: mediaPointer(id), from: auditValue(found), to: null });
    await clearLinks(trx, userId, links, now(ctx));
    await deleteMediaRow(trx, id);
    if (changes.length > 0) await recordChange(trx, user, { ...by, action: 'media.deleted', changes });
    return found;
  });
  try {
    await ctx.storage.delete(item.objectKey);
    return { objectDeleted: true };
  } catch (error) {
    return { objectDeleted: false, error };
  }
}

/** A short-lived download URL of a ready item. */
export async function downloadUrlFor(ctx: MediaContext, item: Pick<MediaItem, 'objectKey' | 'kind' | 'fileName'>): Promise<PresignedUrl> {
  return ctx.storage.presignDownload({
    key: item.objectKey,
    expiresInSeconds: ctx.limits.downloadUrlSeconds,
    contentDisposition: contentDisposition(item.kind, item.fileName),
  });
}

type Served<T> = T & { downloadUrl?: string; downloadUrlExpiresAt?: string };

interface DocumentWithMedia {
  id: string;
  profile?: { photo?: MediaRef | null };
  jobSeeker?: { resume?: MediaRef | null };
}

/**
 * The document as served: each linked item that still exists gets a
 * short-lived download URL. A copy is returned; what is stored (and what
 * versions/{n} returns as saved) never holds a URL, because it would expire
 * while the version lives on.
 */
export async function withDownloadUrls<D extends DocumentWithMedia>(ctx: MediaContext, document: D): Promise<D> {
  const photo = document.profile?.photo ?? null;
  const resume = document.jobSeeker?.resume ?? null;
  const ids = [photo?.id, resume?.id].filter((id): id is string => id !== undefined);
  if (ids.length === 0) return document;
  const items = new Map((await readyItems(ctx.db, document.id, ids)).map((item) => [item.id, item]));
  const serve = async (ref: MediaRef | null): Promise<Served<MediaRef> | null> => {
    const item = ref === null ? undefined : items.get(ref.id);
    if (ref === null || item === undefined) return ref;
    const download = await downloadUrlFor(ctx, item);
    return { ...ref, downloadUrl: download.url, downloadUrlExpiresAt: download.expiresAt.toISOString() };
  };
  return {
    ...document,
    ...(document.profile ? { profile: { ...document.profile, photo: await serve(photo) } } : {}),
    ...(document.jobSeeker ? { jobSeeker: { ...document.jobSeeker, resume: await serve(resume) } } : {}),
  };
}

/** The audit path of an item: media are not in the document, but are the user's data all the same. */
function mediaPointer(id: string): string {
  return `/media/${id}`;
}

function auditValue(item: MediaItem): Record<string, unknown> {
  return { kind: item.kind, contentType: item.contentType, sizeBytes: item.sizeBytes, fileName: item.fileName };
}

function toRef(item: MediaItem): MediaRef {
  return { id: item.id, kind: item.kind, contentType: item.contentType, sizeBytes: item.sizeBytes, fileName: item.fileName };
}
