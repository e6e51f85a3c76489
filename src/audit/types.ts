/** Who acted: the user themselves, an administrator, or the system (a trigger, a job). */
export interface Actor {
  type: 'user' | 'admin' | 'system';
  /** The acting user's internal id, or the system component's name. */
  id: string;
}

export interface Change {
  /** JSON Pointer into the profile document, e.g. `/profile/headline`. */
  path: string;
  from: unknown;
  to: unknown;
}

export interface AuditEventInput {
  userId: string;
  actor: Actor;
  /** The channel the change came through: `api`, `post_confirmation`, `jit`, … */
  source: string;
  action: string;
  /** The user's version after the change. */
  version: number;
  requestId?: string | null;
  changes: readonly Change[];
}

/**
 * A change as read back from the trail. While the values are held they are
 * in `from`/`to` with `redacted: false`. Once erasure has deleted them,
 * `redacted: true` and `from`/`to` are null (read `redacted`, not the nulls:
 * a real change can be from null). The chain still holds their digests, so
 * verification is unaffected. Both shapes are also a plain `Change`.
 */
export type RecordedChange =
  | { path: string; from: unknown; to: unknown; redacted: false }
  | { path: string; from: null; to: null; redacted: true };

export interface AuditEvent {
  id: string;
  /** Position in the user's chain, from 1; pass it as `beforeSeq` for the next page. */
  seq: number;
  /** This event's chain hash (hex SHA-256), e.g. to compare with an exported chain head. */
  hash: string;
  at: Date;
  userId: string;
  actor: Actor;
  source: string;
  action: string;
  /** The user's version after the change. */
  version: number;
  requestId: string | null;
  changes: RecordedChange[];
}

/** What `appendAuditEvent` wrote. */
export interface AppendedAuditEvent {
  id: string;
  seq: number;
  hash: string;
}

/** Who asked for a user's audit values to be erased (recorded in the chain). */
export interface RedactionRequest {
  actor: Actor;
  source: string;
  requestId?: string | null;
}

export interface RedactionResult {
  /** `audit_values` rows deleted (one per recorded change). */
  valuesDeleted: number;
  /** The `audit.values_redacted` event, or null when the user has no chain. */
  event: AppendedAuditEvent | null;
}

export type AuditProblemReason =
  /** The event's fields no longer hash to its stored `hash`: the row was changed. */
  | 'hash_mismatch'
  /** `prev_hash` is not the previous event's `hash` (or 64 zeros at seq 1). */
  | 'prev_hash_mismatch'
  /** Events are missing before this one; `seq` is the first missing position. */
  | 'seq_gap'
  /** A held value no longer matches its digest in the chain. */
  | 'value_mismatch'
  /** A value row is gone although no `audit.values_redacted` event follows. */
  | 'value_missing'
  /** Values are held but the user's key is gone, so they cannot be checked. */
  | 'key_missing'
  /** A value row survived an `audit.values_redacted` event that follows it. */
  | 'value_not_redacted'
  /** The user exists but has no audit events at all. */
  | 'chain_missing'
  /** The chain's highest `version` differs from `users.version` (a lost tail, or an unaudited change). */
  | 'version_mismatch';

export interface AuditProblem {
  userId: string;
  /** The event concerned; null for a problem with the user's chain as a whole. */
  seq: number | null;
  reason: AuditProblemReason;
  detail: string;
}

export interface AuditVerification {
  usersChecked: number;
  eventsChecked: number;
  problems: AuditProblem[];
}
