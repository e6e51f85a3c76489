import { createPostConfirmationHandler } from './post-confirmation-handler.js';
import { createLambdaRuntime } from './runtime.js';

const { config, db, logger } = createLambdaRuntime();

/** Cognito Post Confirmation trigger (API.md §6). */
export const handler = createPostConfirmationHandler({
  db,
  issuer: config.auth!.issuer,
  userPoolId: config.auth!.userPoolId,
  logger,
});
