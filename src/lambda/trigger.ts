import { awsPoolIssuer } from '../config/index.js';
import type { ProvisionInput, ProvisioningSource } from '../users/index.js';
import type { HandlerLogger } from './logger.js';

/**
 * Which pool a trigger serves, and so the issuer its users are keyed on.
 * Configured (COGNITO_USER_POOL_ID, AUTH_ISSUER): events from any other pool
 * are refused. `issuerFromEvent` (TRIGGER_ISSUER_FROM_EVENT=true, ADR 0003):
 * the issuer is derived from the pool that invoked the function; only the
 * pool its resource policy names can invoke it. Either one or the other,
 * never a missing value meaning "any pool".
 */
export type TriggerPool =
  | { issuer: string; userPoolId: string; issuerFromEvent?: false }
  | { issuerFromEvent: true; issuer?: never; userPoolId?: never };

/** What both Cognito user-pool triggers share: the event's user, checked. */
export interface TriggerUser {
  /** The issuer the user is keyed on: the configured one, or the invoking pool's. */
  issuer: string;
  subject: string;
  attributes: Record<string, string | undefined>;
  /** Safe to log: no personal data. */
  context: Record<string, unknown>;
}

interface TriggerEvent {
  triggerSource?: unknown;
  region?: unknown;
  userPoolId?: unknown;
  version?: unknown;
  request?: { userAttributes?: Record<string, string | undefined> };
}

/**
 * The checks every trigger runs before touching the database: the trigger
 * source is one it handles, the event comes from the configured pool (or,
 * with `issuerFromEvent`, from a well-formed AWS pool in the event's region),
 * and it carries a `sub`. Null (logged) when any fails: the trigger then
 * returns the event unchanged, never blocking the user.
 */
export function triggerUser(
  event: TriggerEvent | undefined,
  expected: { pool: TriggerPool; accepts: (triggerSource: string) => boolean; name: string },
  logger: HandlerLogger,
): TriggerUser | null {
  const context = { triggerSource: event?.triggerSource, version: event?.version, userPoolId: event?.userPoolId };
  if (typeof event?.triggerSource !== 'string' || !expected.accepts(event.triggerSource)) {
    logger.warn(`ignoring an event that is not a ${expected.name} trigger`, context);
    return null;
  }
  const issuer = issuerFor(event, expected.pool);
  if (issuer === null) {
    logger.error('event from an unexpected user pool; nothing done', { ...context, expected: expected.pool.userPoolId ?? 'an AWS pool in the event region' });
    return null;
  }
  const attributes = event.request?.userAttributes ?? {};
  const subject = attributes.sub;
  if (typeof subject !== 'string' || subject === '') {
    logger.error(`${expected.name} event without a sub; nothing done`, context);
    return null;
  }
  return { issuer, subject, attributes, context };
}

/**
 * The issuer for this event, or null when it is not from the pool served.
 * Derived from the event, the issuer is exactly what the API derives from
 * COGNITO_USER_POOL_ID (awsPoolIssuer), so trigger and token meet on one row;
 * the pool id must carry the event's own region, as every AWS pool id does.
 */
function issuerFor(event: TriggerEvent, pool: TriggerPool): string | null {
  if (!pool.issuerFromEvent) return event.userPoolId === pool.userPoolId ? pool.issuer : null;
  if (typeof event.userPoolId !== 'string') return null;
  const derived = awsPoolIssuer(event.userPoolId);
  return derived !== null && derived.region === event.region ? derived.issuer : null;
}

/** The ensureUser input for a trigger's user (Cognito sends attribute values as strings). */
export function provisionInput(user: TriggerUser, source: ProvisioningSource): ProvisionInput {
  const verified = user.attributes.email_verified;
  return {
    issuer: user.issuer,
    subject: user.subject,
    email: user.attributes.email ?? null,
    emailVerified: verified === undefined ? null : verified === 'true',
    source,
  };
}

class TimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

/** Cognito gives a trigger 5 s: give up well before (a late commit is harmless, provisioning is idempotent). */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`gave up after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Error name, code and message only: pg messages can quote values, so no detail or stack of the query. */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error).slice(0, 200) };
  return { name: error.name, code: (error as { code?: unknown }).code, message: error.message.slice(0, 200) };
}
