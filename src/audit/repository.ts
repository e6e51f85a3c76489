import { sql, type Kysely, type Selectable } from 'kysely';
import type { AuditEventRow, AuditValuesTable, Database } from '../db/schema.js';
import { eventHash, GENESIS_PREV_HASH, newAuditKey, storedJson, valueDigest, type DigestedChange } from './chain.js';
import type {
  AppendedAuditEvent,
  AuditEvent,
  AuditEventInput,
  RecordedChange,
  RedactionRequest,
  RedactionResult,
} from './types.js';

/** The action of the event that `redactUserAuditValues` appends. */
export const AUDIT_VALUES_REDACTED = 'audit.values_redacted';

// First key of the two-key advisory lock that serialises a user's appends
// ('audi'); the second is hashtext(user_id).
const CHAIN_LOCK_NAMESPACE = 0x61756469;

/**
 * Appends one event to the user's hash chain: the values go to
 * `audit_values`, the event records their keyed digests, its `seq`,
 * `prev_hash` and `hash`. Call it inside the transaction that made the
 * change (it opens its own when given a plain connection), after taking the
 * user's row lock, as the callers do.
 *
 * Appends for one user are also serialised here, by a transaction-scoped
 * advisory lock, so that a future caller that forgets the row lock waits
 * instead of failing on `unique (user_id, seq)`; the unique constraint is the
 * backstop that keeps a chain from ever forking.
 */
export async function appendAuditEvent(db: Kysely<Database>, input: AuditEventInput): Promise<AppendedAuditEvent> {
  return inTransaction(db, async (trx) => {
    await lockChain(trx, input.userId);
    return append(trx, input);
  });
}

/** A user's events, newest first, with the values re-joined (or marked redacted). */
export async function listAuditEvents(
  db: Kysely<Database>,
  userId: string,
  options: { limit?: number; beforeSeq?: number } = {},
): Promise<AuditEvent[]> {
  const { limit = 100, beforeSeq } = options;
  const rows = await db
    .selectFrom('audit_events')
    .selectAll()
    .where('user_id', '=', userId)
    .$if(beforeSeq !== undefined, (qb) => qb.where('seq', '<', beforeSeq!))
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
  const values = await valuesOf(
    db,
    rows.filter((r) => hasChanges(r)).map((r) => r.id),
  );
  return rows.map((row) => auditRowToEvent(row, values));
}

/**
 * Erasure's part of the audit trail: deletes the user's held values and HMAC
 * key, then appends an `audit.values_redacted` event (at the chain's current
 * version) so that the chain itself records that the values were removed on
 * purpose. The chain still verifies: it holds digests only. Afterwards the
 * remaining digests cannot be tested against guessed values, because the
 * key is gone. Run it in the erasure's transaction.
 */
export async function redactUserAuditValues(
  db: Kysely<Database>,
  userId: string,
  by: RedactionRequest,
): Promise<RedactionResult> {
  return inTransaction(db, async (trx) => {
    // Lock first: an append in flight either committed before (its values
    // are deleted here) or waits and lands after the redaction event.
    await lockChain(trx, userId);
    const deleted = await trx
      .deleteFrom('audit_values')
      .where('event_id', 'in', (eb) => eb.selectFrom('audit_events').select('id').where('user_id', '=', userId))
      .executeTakeFirst();
    await trx.deleteFrom('audit_keys').where('user_id', '=', userId).execute();
    const valuesDeleted = Number(deleted.numDeletedRows);

    const head = await chainHead(trx, userId);
    if (head === undefined) return { valuesDeleted, event: null };
    const event = await append(trx, {
      userId,
      actor: by.actor,
      source: by.source,
      action: AUDIT_VALUES_REDACTED,
      version: head.version,
      requestId: by.requestId ?? null,
      changes: [],
    });
    return { valuesDeleted, event };
  });
}

async function append(trx: Kysely<Database>, input: AuditEventInput): Promise<AppendedAuditEvent> {
  const head = await chainHead(trx, input.userId);
  const seq = (head?.seq ?? 0) + 1;
  const prevHash = head?.hash ?? GENESIS_PREV_HASH;
  const stored = input.changes.map((c) => ({ path: c.path, from: storedJson(c.from), to: storedJson(c.to) }));
  const key = stored.length > 0 ? await userKey(trx, input.userId) : null;
  const changes: DigestedChange[] = stored.map((c) => ({
    path: c.path,
    from: valueDigest(key!, c.from.json),
    to: valueDigest(key!, c.to.json),
  }));
  // Set here, not by the database default: the hash covers the timestamp,
  // and a JS Date (milliseconds) round-trips through timestamptz exactly.
  const occurredAt = new Date();
  const requestId = input.requestId ?? null;
  const hash = eventHash({
    userId: input.userId,
    seq,
    prevHash,
    occurredAt,
    actor: input.actor,
    source: input.source,
    action: input.action,
    version: input.version,
    requestId,
    changes,
  });

  const { id } = await trx
    .insertInto('audit_events')
    .values({
      user_id: input.userId,
      occurred_at: occurredAt,
      actor_type: input.actor.type,
      actor_id: input.actor.id,
      source: input.source,
      action: input.action,
      version: input.version,
      request_id: requestId,
      changes: JSON.stringify(changes),
      seq,
      prev_hash: prevHash,
      hash,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (stored.length > 0) {
    await trx
      .insertInto('audit_values')
      .values(stored.map((c, position) => ({ event_id: id, position, from_value: c.from.text, to_value: c.to.text })))
      .execute();
  }
  return { id, seq, hash };
}

async function lockChain(trx: Kysely<Database>, userId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(${CHAIN_LOCK_NAMESPACE}::int4, hashtext(${userId}))`.execute(trx);
}

async function chainHead(db: Kysely<Database>, userId: string) {
  return db
    .selectFrom('audit_events')
    .select(['seq', 'hash', 'version'])
    .where('user_id', '=', userId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The user's HMAC key, created with their first recorded value. */
async function userKey(trx: Kysely<Database>, userId: string): Promise<Buffer> {
  const existing = await trx.selectFrom('audit_keys').select('key').where('user_id', '=', userId).executeTakeFirst();
  if (existing !== undefined) return existing.key;
  const created = await trx
    .insertInto('audit_keys')
    .values({ user_id: userId, key: newAuditKey() })
    .onConflict((oc) => oc.column('user_id').doNothing())
    .returning('key')
    .executeTakeFirst();
  if (created !== undefined) return created.key;
  // Lost a race with a writer that did not take the chain lock: use its key.
  const raced = await trx.selectFrom('audit_keys').select('key').where('user_id', '=', userId).executeTakeFirstOrThrow();
  return raced.key;
}

type ValueRow = Selectable<AuditValuesTable>;

/** `event_id → position → row` for the given events. */
export async function valuesOf(db: Kysely<Database>, eventIds: readonly string[]): Promise<Map<string, Map<number, ValueRow>>> {
  const byEvent = new Map<string, Map<number, ValueRow>>();
  if (eventIds.length === 0) return byEvent;
  const rows = await db.selectFrom('audit_values').selectAll().where('event_id', 'in', eventIds).execute();
  for (const row of rows) {
    let positions = byEvent.get(row.event_id);
    if (positions === undefined) byEvent.set(row.event_id, (positions = new Map()));
    positions.set(row.position, row);
  }
  return byEvent;
}

export function hasChanges(row: Pick<AuditEventRow, 'changes'>): boolean {
  return Array.isArray(row.changes) && row.changes.length > 0;
}

function auditRowToEvent(row: AuditEventRow, values: Map<string, Map<number, ValueRow>>): AuditEvent {
  const held = values.get(row.id);
  const changes = (Array.isArray(row.changes) ? row.changes : []).map((change, position): RecordedChange => {
    const value = held?.get(position);
    return value === undefined
      ? { path: change.path, from: null, to: null, redacted: true }
      : { path: change.path, from: value.from_value, to: value.to_value, redacted: false };
  });
  return {
    id: row.id,
    seq: row.seq,
    hash: row.hash,
    at: row.occurred_at,
    userId: row.user_id,
    // Every writer records an id; '' only for a row written without one.
    actor: { type: row.actor_type, id: row.actor_id ?? '' },
    source: row.source,
    action: row.action,
    version: row.version,
    requestId: row.request_id,
    changes,
  };
}

/** Runs `fn` in the caller's transaction, or in a new one. */
export async function inTransaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}
