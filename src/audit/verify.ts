import { sql, type Kysely } from 'kysely';
import type { AuditEventRow, Database } from '../db/schema.js';
import { UserNotFoundError } from '../errors.js';
import { eventHash, GENESIS_PREV_HASH, valueDigest } from './chain.js';
import { AUDIT_VALUES_REDACTED, hasChanges, valuesOf } from './repository.js';
import type { AuditProblem, AuditProblemReason, AuditVerification } from './types.js';

export interface VerifyOptions {
  /** Check one user only. */
  userId?: string;
  /** Users per page (one read-only snapshot each). */
  pageSize?: number;
  /** Events read per query within a page. */
  chunkSize?: number;
}

/**
 * Recomputes every user's chain from the stored rows and reports what does
 * not add up (see `AuditProblemReason`). Users are visited in pages by
 * keyset over user_id, each page in its own REPEATABLE READ snapshot, so
 * that `users.version` and the chain are read consistently while appends go
 * on, memory stays bounded, and no snapshot is held for the whole run.
 * A user with no `users` row (erased) is still checked: the chain outlives it.
 */
export async function verifyAuditChains(db: Kysely<Database>, options: VerifyOptions = {}): Promise<AuditVerification> {
  const pageSize = options.pageSize ?? 500;
  const chunkSize = options.chunkSize ?? 2000;
  const result: AuditVerification = { usersChecked: 0, eventsChecked: 0, problems: [] };

  if (options.userId !== undefined) {
    const userId = options.userId.toLowerCase();
    const found = await inSnapshot(db, (trx) => verifyPage(trx, [userId], chunkSize, result));
    if (found === 0) throw new UserNotFoundError();
    return result;
  }

  let after: string | null = null;
  for (;;) {
    const last: string | null = await inSnapshot(db, async (trx) => {
      const ids = await nextUserIds(trx, after, pageSize);
      await verifyPage(trx, ids, chunkSize, result);
      return ids.at(-1) ?? null;
    });
    if (last === null) return result;
    after = last;
  }
}

/** The next `limit` user ids after `after`, from `users` and from the chains (an erased user may have only a chain). */
async function nextUserIds(db: Kysely<Database>, after: string | null, limit: number): Promise<string[]> {
  const usersAfter = after === null ? sql`true` : sql`id > ${after}`;
  const eventsAfter = after === null ? sql`true` : sql`user_id > ${after}`;
  const { rows } = await sql<{ user_id: string }>`
    select user_id from (
      (select id as user_id from users where ${usersAfter} order by id limit ${limit})
      union
      (select user_id from audit_events where ${eventsAfter} group by user_id order by user_id limit ${limit})
    ) ids
    order by user_id
    limit ${limit}`.execute(db);
  return rows.map((r) => r.user_id);
}

interface ChainState {
  userId: string;
  key: Buffer | undefined;
  /** Seq of the user's latest `audit.values_redacted` event (0 when none). */
  redactedBefore: number;
  /** From `users`; undefined when the user row is gone. */
  userVersion: number | undefined;
  nextSeq: number;
  prevHash: string;
  headSeq: number;
  maxVersion: number;
  firstSeqAboveUserVersion: number | null;
}

/** Verifies the chains of `ids`; returns how many of them exist (as a user or a chain). */
async function verifyPage(db: Kysely<Database>, ids: readonly string[], chunkSize: number, result: AuditVerification): Promise<number> {
  if (ids.length === 0) return 0;
  const users = new Map(
    (await db.selectFrom('users').select(['id', 'version']).where('id', 'in', ids).execute()).map((u) => [u.id, u.version]),
  );
  const keys = new Map(
    (await db.selectFrom('audit_keys').select(['user_id', 'key']).where('user_id', 'in', ids).execute()).map((k) => [k.user_id, k.key]),
  );
  const redactions = new Map(
    (
      await db
        .selectFrom('audit_events')
        .select(['user_id', (eb) => eb.fn.max('seq').as('seq')])
        .where('user_id', 'in', ids)
        .where('action', '=', AUDIT_VALUES_REDACTED)
        .groupBy('user_id')
        .execute()
    ).map((r) => [r.user_id, r.seq]),
  );

  const chains = new Map<string, ChainState>();
  const report = (userId: string, seq: number | null, reason: AuditProblemReason, detail: string) =>
    result.problems.push({ userId, seq, reason, detail } satisfies AuditProblem);

  let cursor: { userId: string; seq: number } | null = null;
  for (;;) {
    const from: { userId: string; seq: number } | null = cursor;
    const rows: AuditEventRow[] = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('user_id', 'in', ids)
      .$if(from !== null, (qb) => qb.where((eb) => eb(eb.refTuple('user_id', 'seq'), '>', eb.tuple(from!.userId, from!.seq))))
      .orderBy('user_id')
      .orderBy('seq')
      .limit(chunkSize)
      .execute();
    if (rows.length === 0) break;
    const values = await valuesOf(
      db,
      rows.filter((r) => hasChanges(r)).map((r) => r.id),
    );
    for (const row of rows) {
      let chain = chains.get(row.user_id);
      if (chain === undefined) {
        chain = newChainState(row.user_id, keys.get(row.user_id), redactions.get(row.user_id) ?? 0, users.get(row.user_id));
        chains.set(row.user_id, chain);
      }
      checkEvent(chain, row, values.get(row.id), report);
      result.eventsChecked += 1;
    }
    const last: AuditEventRow = rows.at(-1)!;
    cursor = { userId: last.user_id, seq: last.seq };
    if (rows.length < chunkSize) break;
  }

  let found = 0;
  for (const userId of ids) {
    const chain = chains.get(userId);
    const userVersion = users.get(userId);
    if (chain === undefined && userVersion === undefined) continue;
    found += 1;
    if (chain === undefined) {
      report(userId, null, 'chain_missing', `user is at version ${userVersion} but has no audit events`);
    } else if (userVersion !== undefined && chain.maxVersion < userVersion) {
      report(
        userId,
        chain.headSeq + 1,
        'version_mismatch',
        `chain ends at seq ${chain.headSeq} with version ${chain.maxVersion}, user is at version ${userVersion}: events are missing after seq ${chain.headSeq}`,
      );
    } else if (userVersion !== undefined && chain.maxVersion > userVersion) {
      report(
        userId,
        chain.firstSeqAboveUserVersion,
        'version_mismatch',
        `chain records version ${chain.maxVersion}, user is at version ${userVersion}`,
      );
    }
  }
  result.usersChecked += found;
  return found;
}

function newChainState(userId: string, key: Buffer | undefined, redactedBefore: number, userVersion: number | undefined): ChainState {
  return {
    userId,
    key,
    redactedBefore,
    userVersion,
    nextSeq: 1,
    prevHash: GENESIS_PREV_HASH,
    headSeq: 0,
    maxVersion: 0,
    firstSeqAboveUserVersion: null,
  };
}

type Report = (userId: string, seq: number | null, reason: AuditProblemReason, detail: string) => void;
type HeldValues = Map<number, { from_value: unknown; to_value: unknown }> | undefined;

function checkEvent(chain: ChainState, row: AuditEventRow, held: HeldValues, report: Report): void {
  const { userId } = chain;
  if (row.seq !== chain.nextSeq) {
    // A gap necessarily breaks the link too; report the gap only.
    const missing = row.seq - chain.nextSeq;
    report(userId, chain.nextSeq, 'seq_gap', `expected seq ${chain.nextSeq}, found ${row.seq} (${missing} event(s) missing)`);
  } else if (row.prev_hash !== chain.prevHash) {
    report(userId, row.seq, 'prev_hash_mismatch', `prev_hash ${row.prev_hash} does not link to ${chain.prevHash}`);
  }

  const recomputed = attempt(() => eventHash({
    userId: row.user_id,
    seq: row.seq,
    prevHash: row.prev_hash,
    occurredAt: row.occurred_at,
    actor: { type: row.actor_type, id: row.actor_id },
    source: row.source,
    action: row.action,
    version: row.version,
    requestId: row.request_id,
    changes: row.changes,
  }));
  if (recomputed instanceof Error) {
    report(userId, row.seq, 'hash_mismatch', `the stored fields cannot be hashed: ${recomputed.message}`);
  } else if (recomputed !== row.hash) {
    report(userId, row.seq, 'hash_mismatch', `stored ${row.hash}, recomputed ${recomputed}`);
  }

  const valueProblem = checkValues(chain, row, held);
  if (valueProblem !== null) report(userId, row.seq, valueProblem.reason, valueProblem.detail);

  chain.nextSeq = row.seq + 1;
  // Link to what is stored, so that one changed row is reported once, not
  // again at its successor.
  chain.prevHash = row.hash;
  chain.headSeq = row.seq;
  chain.maxVersion = Math.max(chain.maxVersion, row.version);
  if (chain.userVersion !== undefined && row.version > chain.userVersion && chain.firstSeqAboveUserVersion === null) {
    chain.firstSeqAboveUserVersion = row.seq;
  }
}

/** The first problem with the event's held values, if any. */
function checkValues(chain: ChainState, row: AuditEventRow, held: HeldValues): { reason: AuditProblemReason; detail: string } | null {
  const changes: unknown[] = Array.isArray(row.changes) ? row.changes : [];
  const redacted = row.seq < chain.redactedBefore;
  for (const [position, change] of changes.entries()) {
    const value = held?.get(position);
    const at = `change ${position}`;
    if (value === undefined) {
      if (!redacted) return { reason: 'value_missing', detail: `${at}: value row is gone and no redaction is recorded after it` };
      continue;
    }
    if (redacted) return { reason: 'value_not_redacted', detail: `${at}: value row survived the redaction at seq ${chain.redactedBefore}` };
    if (chain.key === undefined) return { reason: 'key_missing', detail: `${at}: values are held but the user's key is gone` };
    const digests = change as { from?: unknown; to?: unknown };
    const key = chain.key;
    const matches = attempt(() => valueDigest(key, value.from_value) === digests.from && valueDigest(key, value.to_value) === digests.to);
    if (matches !== true) {
      const why = matches instanceof Error ? `held value cannot be digested: ${matches.message}` : 'held value does not match its digest';
      return { reason: 'value_mismatch', detail: `${at}: ${why}` };
    }
  }
  return null;
}

/**
 * A row a superuser has filled with something that is not I-JSON (a jsonb
 * number beyond a double, say) must be reported, not end the run.
 */
function attempt<T>(fn: () => T): T | Error {
  try {
    return fn();
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

async function inSnapshot<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(fn);
}
