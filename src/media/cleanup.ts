import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { MEDIA_PREFIX } from './model.js';
import { deletePendingRow, expiredPendingPage, referencedKeys } from './repository.js';
import type { MediaStorage } from './storage.js';

export interface CleanupOptions {
  /** false (the default): only report what would be removed. */
  apply: boolean;
  now?: Date;
  /**
   * Leave alone what changed within this many seconds: an upload that began
   * just before its URL expired may still be arriving. Default one hour.
   */
  graceSeconds?: number;
}

export interface CleanupReport {
  applied: boolean;
  /** Pending items whose upload window closed before this instant. */
  cutoff: string;
  expiredUploads: { id: string; userId: string; objectKey: string; uploadExpiresAt: string; removed: boolean }[];
  unreferencedObjects: { key: string; sizeBytes: number; lastModified: string; removed: boolean }[];
  /** What could not be removed (the next run tries again). */
  failures: { key: string; error: string }[];
}

export const DEFAULT_GRACE_SECONDS = 3600;
const PAGE = 500;

/**
 * `media cleanup`: removes pending uploads whose URL expired (the row, and
 * the object if one was uploaded) and objects under `media/` that no item
 * references (left behind when deleting an object failed, or uploaded to a
 * URL whose item was deleted). Dry run unless `apply`.
 */
export async function cleanupMedia(db: Kysely<Database>, storage: MediaStorage, options: CleanupOptions): Promise<CleanupReport> {
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - (options.graceSeconds ?? DEFAULT_GRACE_SECONDS) * 1000);
  const report: CleanupReport = { applied: options.apply, cutoff: cutoff.toISOString(), expiredUploads: [], unreferencedObjects: [], failures: [] };
  await removeExpiredUploads(db, storage, cutoff, options.apply, report);
  await removeUnreferencedObjects(db, storage, cutoff, options.apply, report);
  return report;
}

async function removeExpiredUploads(db: Kysely<Database>, storage: MediaStorage, cutoff: Date, apply: boolean, report: CleanupReport): Promise<void> {
  for (let after: string | null = null; ; ) {
    const page = await expiredPendingPage(db, cutoff, after, PAGE);
    for (const item of page) {
      // Only while still pending: a `complete` that got there first wins.
      const removed = apply && (await deletePendingRow(db, item.id));
      if (removed) await deleteObject(storage, item.objectKey, report);
      report.expiredUploads.push({
        id: item.id,
        userId: item.userId,
        objectKey: item.objectKey,
        uploadExpiresAt: item.uploadExpiresAt.toISOString(),
        removed,
      });
    }
    if (page.length < PAGE) return;
    after = page[page.length - 1]!.id;
  }
}

async function removeUnreferencedObjects(db: Kysely<Database>, storage: MediaStorage, cutoff: Date, apply: boolean, report: CleanupReport): Promise<void> {
  for await (const objects of storage.list(MEDIA_PREFIX)) {
    const old = objects.filter((o) => o.lastModified < cutoff);
    const referenced = await referencedKeys(db, old.map((o) => o.key));
    for (const object of old.filter((o) => !referenced.has(o.key))) {
      const removed = apply && (await deleteObject(storage, object.key, report));
      report.unreferencedObjects.push({ key: object.key, sizeBytes: object.sizeBytes, lastModified: object.lastModified.toISOString(), removed });
    }
  }
}

async function deleteObject(storage: MediaStorage, key: string, report: CleanupReport): Promise<boolean> {
  try {
    await storage.delete(key);
    return true;
  } catch (error) {
    report.failures.push({ key, error: error instanceof Error ? error.message : String(error) });
    return false;
  }
}
