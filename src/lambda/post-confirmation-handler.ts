import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import type { Db } from '../db/index.js';
import { ensureUser, type ProvisionResult } from '../users/index.js';
import type { HandlerLogger } from './logger.js';

export interface PostConfirmationDeps {
  db: Db;
  /** The configured issuer: a user provisioned here and the same user arriving with a token meet on one row. */
  issuer: string;
  userPoolId: string;
  logger: HandlerLogger;
  /**
   * Cognito gives the trigger 5 s; give up well before so that Cognito never
   * sees a timeout. A late commit is harmless: provisioning is idempotent.
   */
  timeoutMs?: number;
  onProvisioned?: (result: ProvisionResult) => void;
}

const TRIGGER_SOURCES = new Set(['PostConfirmation_ConfirmSignUp', 'PostConfirmation_ConfirmForgotPassword']);

/**
 * Cognito Post Confirmation: provision the user from the Cognito `sub`,
 * return the event unchanged. Both trigger sources run the same idempotent
 * path (a password reset of a user whose row is missing heals it). Failures
 * are logged and swallowed: the user's confirmation must not fail because
 * our database is down, and just-in-time provisioning creates the row on
 * the first authenticated request.
 */
export function createPostConfirmationHandler(deps: PostConfirmationDeps) {
  const timeoutMs = deps.timeoutMs ?? 3500;
  return async (event: PostConfirmationTriggerEvent): Promise<PostConfirmationTriggerEvent> => {
    const context = { triggerSource: event?.triggerSource, userPoolId: event?.userPoolId };
    if (!TRIGGER_SOURCES.has(event?.triggerSource)) {
      deps.logger.warn('ignoring an event that is not a Post Confirmation trigger', context);
      return event;
    }
    if (event.userPoolId !== deps.userPoolId) {
      deps.logger.error('event from an unexpected user pool; not provisioning', { ...context, expected: deps.userPoolId });
      return event;
    }
    const attributes = event.request?.userAttributes ?? {};
    const subject = attributes.sub;
    if (typeof subject !== 'string' || subject === '') {
      deps.logger.error('Post Confirmation event without a sub; not provisioning', context);
      return event;
    }

    const started = Date.now();
    try {
      const result = await withTimeout(
        ensureUser(deps.db, {
          issuer: deps.issuer,
          subject,
          email: attributes.email ?? null,
          emailVerified: attributes.email_verified === undefined ? null : attributes.email_verified === 'true',
          source: 'post_confirmation',
        }),
        timeoutMs,
      );
      deps.onProvisioned?.(result);
      deps.logger.info('user provisioned', { ...context, userId: result.userId, created: result.created, ms: Date.now() - started });
    } catch (error) {
      deps.logger.error('provisioning failed; just-in-time provisioning will create the row', {
        ...context,
        error: describe(error),
        ms: Date.now() - started,
      });
    }
    return event;
  };
}

class TimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`gave up after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Error name, code and message only: pg messages can quote values, so no detail or stack of the query. */
function describe(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  return { name: error.name, code: (error as { code?: unknown }).code, message: error.message.slice(0, 200) };
}
