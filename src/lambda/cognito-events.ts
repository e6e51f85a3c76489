import { eraseUser } from '../erasure/index.js';
import { erasureDepsFor } from '../erasure/wiring.js';
import { CognitoUserDirectory } from '../sync/directory.js';
import { createCognitoEventsHandler } from './cognito-events-handler.js';
import { createLambdaRuntime } from './runtime.js';

const { config, db, logger } = createLambdaRuntime();
const auth = config.auth!;
const erasure = erasureDepsFor(config);

/** EventBridge "AWS API Call via CloudTrail" events from cognito-idp (API.md §6). */
export const handler = createCognitoEventsHandler({
  db,
  issuer: auth.issuer,
  userPoolId: auth.userPoolId,
  directory: new CognitoUserDirectory(auth.userPoolId, { region: auth.region, endpoint: config.cognito.endpoint }),
  erase: async (userId, context) => {
    const result = await eraseUser(db, userId, erasure, { actor: { type: 'system', id: 'cognito-events' }, ...context });
    if (result.pendingObjects > 0) logger.warn('erasure left objects queued for deletion', { userId, pending: result.pendingObjects });
  },
  logger,
});
