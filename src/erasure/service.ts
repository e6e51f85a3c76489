import { sql, type Kysely } from 'kysely';
import { appendAuditEvent, redactUserAuditValues, type Actor } from '../audit/index.js';
import type { Database } from '../db/schema.js';
import { withUserLocked } from '../profiles/change.js';

/** Deletes stored objects (S3); the media feature provides it. */
export interface ObjectDeleter {
  deleteObject(key: string): Promise<void>;
}

/** Deletes the person from the identity provider (ERASE_IDP_USER=true). */
export interface IdentityProviderEraser {
  deleteUserBySub(sub: string): Promise<void>;
}

export interface ErasureDeps {
  objects: ObjectDeleter | null;
  identityProvider: IdentityProviderEraser | null;
}

export interface ErasureContext {
  actor: Actor;
  source: string;
  requestId?: string | null;
}

export interface ErasureResult {
  alreadyErased: boolean;
  /** Objects still to delete (a failed deletion is retried later, never dropped). */
  pendingObjects: number;
  identityProviderDeleted: boolean;
}

/**
 * The one erasure path (DELETE /v1/me, POST /v1/users/{id}/erase, Cognito
 * delete events, reconcile). In one transaction: every personal value is
 * removed from every table, the user becomes a tombstone (status `erased`,
 * identities keep only issuer and subject so that no late event, JIT
 * request or reconcile can bring the person back), the audit values and the
 * user's digest key are deleted (the chain of digests stays verifiable) and
 * a `user.erased` event is appended. The user's S3 objects are queued in the
 * same transaction and deleted after it; failures stay queued for retry.
 */
export async function eraseUser(db: Kysely<Database>, userId: string, deps: ErasureDeps, context: ErasureContext): Promise<ErasureResult> {
  const outcome = await withUserLocked(db, userId, async (trx, user) => {
    if (user.status === 'erased') return { alreadyErased: true, subjects: [] as string[] };
    const subjects = (await trx.selectFrom('identities').select('subject').where('user_id', '=', userId).execute()).map((r) => r.subject);
    const { rows: searchRows } = await sql<{ tokens: string[] }>`select name_tokens as tokens from user_search where user_id = ${userId}`.execute(trx);

    await trx
      .insertInto('erasure_object_deletions')
      .columns(['object_key', 'user_id'])
      .expression((eb) => eb.selectFrom('media').select(['object_key', 'user_id']).where('user_id', '=', userId))
      .onConflict((oc) => oc.column('object_key').doNothing())
      .execute();
    // Links to media first, then the media rows.
    await trx.deleteFrom('profiles').where('user_id', '=', userId).execute();
    await trx.deleteFrom('job_seeker_profiles').where('user_id', '=', userId).execute();
    for (const table of ['media', 'preferences', 'user_skills', 'user_attributes', 'user_roles', 'profile_versions'] as const) {
      await trx.deleteFrom(table).where('user_id', '=', userId).execute();
    }
    await trx.updateTable('identities').set({ email: null, email_verified: null, updated_at: new Date() }).where('user_id', '=', userId).execute();
    // The search triggers have refreshed the user's search row by now; the
    // typo dictionary is shared, so drop only the words no one else has.
    await sql`
      delete from search_words w
       where w.word = any(${searchRows[0]?.tokens ?? []}::text[])
         and not exists (select 1 from user_search s where s.name_tokens @> array[w.word])`.execute(trx);

    await redactUserAuditValues(trx, userId, { actor: context.actor, source: context.source, requestId: context.requestId ?? null });
    const version = user.version + 1;
    await trx.updateTable('users').set({ status: 'erased', version, updated_at: new Date() }).where('id', '=', userId).execute();
    await appendAuditEvent(trx, {
      userId,
      actor: context.actor,
      source: context.source,
      action: 'user.erased',
      version,
      requestId: context.requestId ?? null,
      changes: [],
    });
    return { alreadyErased: false, subjects };
  });

  const pendingObjects = await deleteQueuedObjects(db, deps.objects, { userId });
  let identityProviderDeleted = false;
  if (!outcome.alreadyErased && deps.identityProvider !== null) {
    for (const sub of outcome.subjects) await deps.identityProvider.deleteUserBySub(sub);
    identityProviderDeleted = outcome.subjects.length > 0;
  }
  return { alreadyErased: outcome.alreadyErased, pendingObjects, identityProviderDeleted };
}

/**
 * Deletes queued objects (one user's, or all); each success leaves the
 * queue, each failure stays with its error and attempt count. Returns how
 * many remain queued.
 */
export async function deleteQueuedObjects(db: Kysely<Database>, objects: ObjectDeleter | null, scope: { userId?: string } = {}): Promise<number> {
  let query = db.selectFrom('erasure_object_deletions').select('object_key');
  if (scope.userId !== undefined) query = query.where('user_id', '=', scope.userId);
  const queued = await query.orderBy('requested_at').limit(10_000).execute();
  if (objects === null) return queued.length;
  let remaining = 0;
  for (const { object_key: key } of queued) {
    try {
      await objects.deleteObject(key);
      await db.deleteFrom('erasure_object_deletions').where('object_key', '=', key).execute();
    } catch (error) {
      remaining++;
      await db
        .updateTable('erasure_object_deletions')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error instanceof Error ? error.name : 'Error' }))
        .where('object_key', '=', key)
        .execute();
    }
  }
  return remaining;
}
