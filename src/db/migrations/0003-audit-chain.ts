import { sql, type Kysely } from 'kysely';
import { eventHash, GENESIS_PREV_HASH, newAuditKey, storedJson, valueDigest, type ChainFormat } from '../../audit/chain.js';

/**
 * The audit trail becomes a hash chain per user (docs/audit.md), designed so
 * that erasure can delete personal values without breaking verification:
 *
 * - `audit_events` gains `seq`, `prev_hash`, `hash`; `changes` now holds
 *   keyed digests of the values, never the values;
 * - `audit_values` holds the values (deletable: erasure removes them);
 * - `audit_keys` holds each user's HMAC key for the digests (erasure removes
 *   it; no foreign key to users, the chain outlives the user).
 *
 * Existing events (values inline in `changes`) are converted per user, in
 * (version, id) order. This is the only place the append-only trigger is
 * switched off, inside the migration's transaction, so a failure rolls the
 * switch back with everything else.
 */

// The format this migration writes, pinned: later runtime formats must not
// change what 0003 produced.
const FORMAT: ChainFormat = 1;
const USERS_PER_BATCH = 200;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table audit_events add column seq integer, add column prev_hash text, add column hash text`.execute(db);
  await sql`
    create table audit_keys (
      user_id uuid primary key,
      key bytea not null check (length(key) = 32),
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`
    create table audit_values (
      event_id uuid not null references audit_events (id),
      position smallint not null check (position >= 0),
      from_value jsonb,
      to_value jsonb,
      primary key (event_id, position)
    )`.execute(db);

  await withAppendOnlySuspended(db, () => backfill(db));

  // The hash covers occurred_at at millisecond precision: the application
  // sets it (no default), and the constraint keeps stored == hashed.
  await sql`
    alter table audit_events
      alter column seq set not null,
      alter column prev_hash set not null,
      alter column hash set not null,
      alter column occurred_at drop default,
      add constraint audit_events_user_seq unique (user_id, seq),
      add constraint audit_events_seq_check check (seq >= 1),
      add constraint audit_events_prev_hash_check check (prev_hash ~ '^[0-9a-f]{64}$'),
      add constraint audit_events_hash_check check (hash ~ '^[0-9a-f]{64}$'),
      add constraint audit_events_occurred_at_ms check (occurred_at = date_trunc('milliseconds', occurred_at))`.execute(db);
}

/** Back to 0002: values inline in `changes` again (null where erasure removed them). */
export async function down(db: Kysely<unknown>): Promise<void> {
  await withAppendOnlySuspended(db, async () => {
    await sql`
      update audit_events e
      set changes = (
        select coalesce(jsonb_agg(jsonb_build_object('path', c.change ->> 'path', 'from', v.from_value, 'to', v.to_value) order by c.n), '[]'::jsonb)
        from jsonb_array_elements(e.changes) with ordinality as c (change, n)
        left join audit_values v on v.event_id = e.id and v.position = c.n - 1
      )
      where jsonb_array_length(e.changes) > 0`.execute(db);
  });
  await sql`drop table audit_values`.execute(db);
  await sql`drop table audit_keys`.execute(db);
  await sql`
    alter table audit_events
      drop constraint audit_events_user_seq,
      drop constraint audit_events_seq_check,
      drop constraint audit_events_prev_hash_check,
      drop constraint audit_events_hash_check,
      drop constraint audit_events_occurred_at_ms,
      drop column seq,
      drop column prev_hash,
      drop column hash,
      alter column occurred_at set default now()`.execute(db);
}

async function withAppendOnlySuspended(db: Kysely<unknown>, fn: () => Promise<void>): Promise<void> {
  // Outside a transaction a failure would leave the table writable.
  if (!db.isTransaction) throw new Error('0003-audit-chain must run inside a transaction');
  await sql`alter table audit_events disable trigger audit_events_no_update_delete`.execute(db);
  await fn();
  await sql`alter table audit_events enable trigger audit_events_no_update_delete`.execute(db);
}

interface LegacyEvent {
  id: string;
  user_id: string;
  /** occurred_at truncated to milliseconds, as RFC 3339 UTC text. */
  occurred_at: string;
  actor_type: string;
  actor_id: string | null;
  source: string;
  action: string;
  version: number;
  request_id: string | null;
  changes: unknown;
}

async function backfill(db: Kysely<unknown>): Promise<void> {
  let after: string | null = null;
  for (;;) {
    const page: { rows: { user_id: string }[] } = await sql<{ user_id: string }>`
      select user_id from audit_events
      where ${after === null ? sql`true` : sql`user_id > ${after}`}
      group by user_id order by user_id limit ${USERS_PER_BATCH}`.execute(db);
    if (page.rows.length === 0) return;
    const userIds = page.rows.map((r) => r.user_id);
    await backfillUsers(db, userIds);
    after = userIds.at(-1)!;
  }
}

async function backfillUsers(db: Kysely<unknown>, userIds: string[]): Promise<void> {
  const { rows } = await sql<LegacyEvent>`
    select id, user_id,
           to_char(date_trunc('milliseconds', occurred_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as occurred_at,
           actor_type, actor_id, source, action, version, request_id, changes
    from audit_events
    where user_id = any(${userIds}::uuid[])
    order by user_id, version, id`.execute(db);

  const events = { id: [] as string[], seq: [] as number[], prev: [] as string[], hash: [] as string[], changes: [] as string[], at: [] as string[] };
  const values = { eventId: [] as string[], position: [] as number[], from: [] as string[], to: [] as string[] };
  const keys = { userId: [] as string[], key: [] as Buffer[] };

  const chains = new Map<string, { seq: number; prevHash: string; key: Buffer | null }>();
  for (const event of rows) {
    let current = chains.get(event.user_id);
    if (current === undefined) chains.set(event.user_id, (current = { seq: 0, prevHash: GENESIS_PREV_HASH, key: null }));
    const legacy = legacyChanges(event);
    if (legacy.length > 0 && current.key === null) {
      current.key = newAuditKey();
      keys.userId.push(event.user_id);
      keys.key.push(current.key);
    }
    const key = current.key;
    const digested = legacy.map((c, position) => {
      values.eventId.push(event.id);
      values.position.push(position);
      values.from.push(c.from.text);
      values.to.push(c.to.text);
      return { path: c.path, from: valueDigest(key!, c.from.json), to: valueDigest(key!, c.to.json) };
    });
    const seq = current.seq + 1;
    const hash = eventHash(
      {
        userId: event.user_id,
        seq,
        prevHash: current.prevHash,
        occurredAt: new Date(event.occurred_at),
        actor: { type: event.actor_type, id: event.actor_id },
        source: event.source,
        action: event.action,
        version: event.version,
        requestId: event.request_id,
        changes: digested,
      },
      FORMAT,
    );
    events.id.push(event.id);
    events.seq.push(seq);
    events.prev.push(current.prevHash);
    events.hash.push(hash);
    events.changes.push(JSON.stringify(digested));
    events.at.push(event.occurred_at);
    current.seq = seq;
    current.prevHash = hash;
  }

  if (keys.userId.length > 0) {
    await sql`
      insert into audit_keys (user_id, key)
      select * from unnest(${keys.userId}::uuid[], ${keys.key}::bytea[])`.execute(db);
  }
  if (values.eventId.length > 0) {
    await sql`
      insert into audit_values (event_id, position, from_value, to_value)
      select event_id, position, from_value::jsonb, to_value::jsonb
      from unnest(${values.eventId}::uuid[], ${values.position}::smallint[], ${values.from}::text[], ${values.to}::text[])
        as v (event_id, position, from_value, to_value)`.execute(db);
  }
  await sql`
    update audit_events e
    set seq = u.seq, prev_hash = u.prev_hash, hash = u.hash, changes = u.changes::jsonb, occurred_at = u.occurred_at
    from unnest(${events.id}::uuid[], ${events.seq}::int[], ${events.prev}::text[], ${events.hash}::text[],
                ${events.changes}::text[], ${events.at}::timestamptz[])
      as u (id, seq, prev_hash, hash, changes, occurred_at)
    where e.id = u.id`.execute(db);
}

/** 0001/0002 events: `changes` is `[{ path, from, to }]` with the values themselves. */
function legacyChanges(event: LegacyEvent) {
  if (!Array.isArray(event.changes)) throw new Error(`audit event ${event.id}: changes is not an array`);
  return event.changes.map((change: unknown, i) => {
    const c = (change ?? {}) as { path?: unknown; from?: unknown; to?: unknown };
    if (typeof c.path !== 'string') throw new Error(`audit event ${event.id}: change ${i} has no path`);
    return { path: c.path, from: storedJson(c.from), to: storedJson(c.to) };
  });
}
