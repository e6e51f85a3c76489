import { sql, type Kysely, type SqlBool } from 'kysely';
import { valuesOf, hasChanges } from '../audit/repository.js';
import type { Database } from '../db/schema.js';
import { decodeCursor, encodeCursor } from './cursor.js';

export interface AuditQuery {
  /** `actor_id`: the acting user's id, or a system component's name (`cli`, `jit`, `seed`, …). */
  actor?: string | undefined;
  /** The user the event is about. */
  target?: string | undefined;
  action?: string | undefined;
  /** Inclusive. */
  from?: Date | undefined;
  /** Exclusive. */
  to?: Date | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface AuditQueryItem {
  id: string;
  userId: string;
  seq: number;
  at: string;
  actor: { type: string; id: string };
  source: string;
  action: string;
  version: number;
  requestId: string | null;
  changes: { path: string; from: unknown; to: unknown; redacted: boolean }[];
}

export interface AuditQueryPage {
  items: AuditQueryItem[];
  nextCursor: string | null;
}

/**
 * GET /v1/audit: events across users, newest first by (occurred_at, id), a
 * total order (keyset pagination). Each filter has an index that ends with
 * (occurred_at, id): audit_events_actor, audit_events_action,
 * audit_events_occurred; a target uses the per-user chain index.
 */
export async function queryAuditEvents(db: Kysely<Database>, query: AuditQuery): Promise<AuditQueryPage> {
  const after = query.cursor === undefined ? null : decodeCursor(query.cursor);
  const rows = await db
    .selectFrom('audit_events as e')
    .selectAll('e')
    .select(sql<number>`(extract(epoch from e.occurred_at) * 1000000)::int8`.as('micros'))
    .$if(query.actor !== undefined, (qb) => qb.where('e.actor_id', '=', query.actor!))
    .$if(query.target !== undefined, (qb) => qb.where('e.user_id', '=', query.target!))
    .$if(query.action !== undefined, (qb) => qb.where('e.action', '=', query.action!))
    .$if(query.from !== undefined, (qb) => qb.where('e.occurred_at', '>=', query.from!))
    .$if(query.to !== undefined, (qb) => qb.where('e.occurred_at', '<', query.to!))
    .$if(after !== null, (qb) =>
      qb.where(sql<SqlBool>`(e.occurred_at, e.id) < (timestamptz 'epoch' + ${after!.micros}::int8 * interval '1 microsecond', ${after!.id}::uuid)`),
    )
    .orderBy('e.occurred_at', 'desc')
    .orderBy('e.id', 'desc')
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const values = await valuesOf(
    db,
    page.filter((r) => hasChanges(r)).map((r) => r.id),
  );
  const last = page.at(-1);
  return {
    items: page.map((row) => {
      const held = values.get(row.id);
      return {
        id: row.id,
        userId: row.user_id,
        seq: row.seq,
        at: row.occurred_at.toISOString(),
        actor: { type: row.actor_type, id: row.actor_id ?? '' },
        source: row.source,
        action: row.action,
        version: row.version,
        requestId: row.request_id,
        changes: (Array.isArray(row.changes) ? row.changes : []).map((change, position) => {
          const value = held?.get(position);
          return value === undefined
            ? { path: change.path, from: null, to: null, redacted: true }
            : { path: change.path, from: value.from_value, to: value.to_value, redacted: false };
        }),
      };
    }),
    nextCursor: rows.length > query.limit && last !== undefined ? encodeCursor({ micros: Number(last.micros), id: last.id }) : null,
  };
}
