import { createPreTokenGenerationHandler } from './pre-token-generation-handler.js';
import { createLambdaRuntime } from './runtime.js';

const { config, db, logger } = createLambdaRuntime();

/** Cognito Pre Token Generation trigger, event versions 1, 2 and 3 (API.md §6). */
export const handler = createPreTokenGenerationHandler({
  db,
  issuer: config.auth!.issuer,
  userPoolId: config.auth!.userPoolId,
  groupRoles: config.access.groupRoles,
  logger,
});
