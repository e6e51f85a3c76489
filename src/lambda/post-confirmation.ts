import { createPostConfirmationHandler } from './post-confirmation-handler.js';
import { createLambdaRuntime, triggerPool } from './runtime.js';

const { config, db, logger } = createLambdaRuntime(process.env, { issuer: 'configured-or-event' });

/** Cognito Post Confirmation trigger (API.md §6). */
export const handler = createPostConfirmationHandler({
  ...triggerPool(config),
  db,
  logger,
});
