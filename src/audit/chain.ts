import { createHash, createHmac, randomBytes } from 'node:crypto';
import { canonicalize } from './canonical.js';
import { AuditFormatError } from './errors.js';

/**
 * The hash chain's wire format, shared by the runtime, the 0003 backfill and
 * the verifier. Everything here is pure (no database), so an event hashed by
 * a migration years ago is hashed the same way by today's verifier. A future
 * format gets a new number and a new branch in `eventHash`; format 1 is then
 * never changed. docs/audit.md specifies it for external verifiers.
 */
export type ChainFormat = 1;
export const CURRENT_CHAIN_FORMAT: ChainFormat = 1;

/** `prev_hash` of a user's first event (seq 1). */
export const GENESIS_PREV_HASH = '0'.repeat(64);

/** Bytes in a user's HMAC key (`audit_keys.key`). */
export const AUDIT_KEY_BYTES = 32;

/** One change as the chain records it: the path in clear, the values as digests. */
export interface DigestedChange {
  path: string;
  from: string;
  to: string;
}

/** Exactly the fields an event hash covers. */
export interface ChainedEventFields {
  userId: string;
  seq: number;
  prevHash: string;
  occurredAt: Date;
  actor: { type: string; id: string | null };
  source: string;
  action: string;
  version: number;
  requestId: string | null;
  /** As stored in `audit_events.changes`: normally `DigestedChange[]`, hashed whatever it holds. */
  changes: unknown;
}

export function newAuditKey(): Buffer {
  return randomBytes(AUDIT_KEY_BYTES);
}

/**
 * `base64url(HMAC-SHA256(key, canonical(value)))`. Keyed so that once the
 * key is erased, a digest of a low-entropy value (a date of birth, a
 * country) cannot be reversed by hashing every candidate.
 */
export function valueDigest(key: Uint8Array, value: unknown): string {
  return createHmac('sha256', key).update(canonicalize(value), 'utf8').digest('base64url');
}

/** `hex(SHA-256(canonical({ format, userId, seq, prevHash, occurredAt, actor, source, action, version, requestId, changes })))`. */
export function eventHash(event: ChainedEventFields, format: ChainFormat = CURRENT_CHAIN_FORMAT): string {
  switch (format) {
    case 1:
      return sha256Hex(
        canonicalize({
          format: 1,
          userId: event.userId,
          seq: event.seq,
          prevHash: event.prevHash,
          occurredAt: chainTimestamp(event.occurredAt),
          actor: { type: event.actor.type, id: event.actor.id },
          source: event.source,
          action: event.action,
          version: event.version,
          requestId: event.requestId,
          changes: event.changes,
        }),
      );
  }
}

/**
 * RFC 3339 in UTC with exactly three fractional digits
 * (`2025-01-31T09:30:00.123Z`). The database keeps `occurred_at` at
 * millisecond precision (a check constraint), so the stored value and the
 * hashed text always agree.
 */
export function chainTimestamp(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new AuditFormatError('occurredAt is not a valid date');
  return date.toISOString();
}

/**
 * The JSON a value becomes once stored in jsonb and read back: the digest
 * must cover exactly what the verifier will read (`undefined` members
 * dropped, `toJSON` applied, a missing value is null).
 */
export function storedJson(value: unknown): { json: unknown; text: string } {
  let text: string | undefined;
  try {
    text = JSON.stringify(value === undefined ? null : value);
  } catch (cause) {
    throw new AuditFormatError(`an audited value is not JSON: ${String(cause)}`);
  }
  if (text === undefined) throw new AuditFormatError('an audited value is not JSON');
  return { json: JSON.parse(text) as unknown, text };
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
