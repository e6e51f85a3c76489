import type { Kysely } from 'kysely';
import type { AuditEventRow, Database } from '../db/schema.js';
import type { AuditEvent, AuditEventInput } from './types.js';

/** Appends one event; call it inside the transaction that made the change. */
export async function appendAuditEvent(db: Kysely<Database>, event: AuditEventInput): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      user_id: event.userId,
      actor_type: event.actor.type,
      actor_id: event.actor.id,
      source: event.source,
      action: event.action,
      version: event.version,
      request_id: event.requestId ?? null,
      changes: JSON.stringify(event.changes),
    })
    .execute();
}

/** A user's events, newest first. */
export async function listAuditEvents(db: Kysely<Database>, userId: string, limit = 100): Promise<AuditEvent[]> {
  const rows = await db
    .selectFrom('audit_events')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('version', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(auditRowToEvent);
}

function auditRowToEvent(row: AuditEventRow): AuditEvent {
  return {
    id: row.id,
    at: row.occurred_at,
    userId: row.user_id,
    actor: { type: row.actor_type, id: row.actor_id ?? '' },
    source: row.source,
    action: row.action,
    version: row.version,
    requestId: row.request_id,
    changes: row.changes,
  };
}
