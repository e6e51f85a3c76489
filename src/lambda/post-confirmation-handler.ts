import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import type { Db } from '../db/index.js';
import { ensureUser, type ProvisionResult } from '../users/index.js';
import type { HandlerLogger } from './logger.js';
import { describeError, provisionInput, triggerUser, withTimeout, type TriggerPool } from './trigger.js';

/**
 * The pool served (TriggerPool): the configured issuer and pool id, so that a
 * user provisioned here and the same user arriving with a token meet on one
 * row; or `issuerFromEvent` (ADR 0003).
 */
export type PostConfirmationDeps = TriggerPool & {
  db: Db;
  logger: HandlerLogger;
  /**
   * Cognito gives the trigger 5 s; give up well before so that Cognito never
   * sees a timeout. A late commit is harmless: provisioning is idempotent.
   */
  timeoutMs?: number;
  onProvisioned?: (result: ProvisionResult) => void;
};

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
    const user = triggerUser(event, { pool: deps, accepts: (source) => TRIGGER_SOURCES.has(source), name: 'Post Confirmation' }, deps.logger);
    if (user === null) return event;
    const { context } = user;

    const started = Date.now();
    try {
      const result = await withTimeout(ensureUser(deps.db, provisionInput(user, 'post_confirmation')), timeoutMs);
      deps.onProvisioned?.(result);
      deps.logger.info('user provisioned', { ...context, userId: result.userId, created: result.created, ms: Date.now() - started });
    } catch (error) {
      deps.logger.error('provisioning failed; just-in-time provisioning will create the row', {
        ...context,
        error: describeError(error),
        ms: Date.now() - started,
      });
    }
    return event;
  };
}
