import { createPreTokenGenerationHandler } from './pre-token-generation-handler.js';
import { createLambdaRuntime, triggerPool } from './runtime.js';

const { config, db, logger } = createLambdaRuntime(process.env, { issuer: 'configured-or-event' });

/** Cognito Pre Token Generation trigger, event versions 1, 2 and 3 (API.md §6). */
export const handler = createPreTokenGenerationHandler({
  ...triggerPool(config),
  db,
  groupRoles: config.access.groupRoles,
  logger,
});
