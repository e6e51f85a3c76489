import type { ProvisionInput, ProvisioningSource } from '../users/index.js';
import type { HandlerLogger } from './logger.js';

/** What both Cognito user-pool triggers share: the event's user, checked. */
export interface TriggerUser {
  subject: string;
  attributes: Record<string, string | undefined>;
  /** Safe to log: no personal data. */
  context: Record<string, unknown>;
}

interface TriggerEvent {
  triggerSource?: unknown;
  userPoolId?: unknown;
  version?: unknown;
  request?: { userAttributes?: Record<string, string | undefined> };
}

/**
 * The checks every trigger runs before touching the database: the trigger
 * source is one it handles, the event comes from the configured pool, and it
 * carries a `sub`. Null (logged) when any fails: the trigger then returns the
 * event unchanged, never blocking the user.
 */
export function triggerUser(
  event: TriggerEvent | undefined,
  expected: { userPoolId: string; accepts: (triggerSource: string) => boolean; name: string },
  logger: HandlerLogger,
): TriggerUser | null {
  const context = { triggerSource: event?.triggerSource, version: event?.version, userPoolId: event?.userPoolId };
  if (typeof event?.triggerSource !== 'string' || !expected.accepts(event.triggerSource)) {
    logger.warn(`ignoring an event that is not a ${expected.name} trigger`, context);
    return null;
  }
  if (event.userPoolId !== expected.userPoolId) {
    logger.error('event from an unexpected user pool; nothing done', { ...context, expected: expected.userPoolId });
    return null;
  }
  const attributes = event.request?.userAttributes ?? {};
  const subject = attributes.sub;
  if (typeof subject !== 'string' || subject === '') {
    logger.error(`${expected.name} event without a sub; nothing done`, context);
    return null;
  }
  return { subject, attributes, context };
}

/** The ensureUser input for a trigger's user (Cognito sends attribute values as strings). */
export function provisionInput(issuer: string, user: TriggerUser, source: ProvisioningSource): ProvisionInput {
  const verified = user.attributes.email_verified;
  return {
    issuer,
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
