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

export interface AuditEvent extends AuditEventInput {
  id: string;
  at: Date;
}
