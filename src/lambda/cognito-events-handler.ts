import type { EventBridgeEvent } from 'aws-lambda';
import type { Db } from '../db/index.js';
import type { UserDirectory } from '../sync/directory.js';
import { refreshIdentity, setUserEnabled } from '../sync/identity.js';
import { findUserIdByIdentity } from '../users/index.js';
import { DELETE_EVENTS, UPDATE_EVENTS } from './cognito-event-names.js';
import type { HandlerLogger } from './logger.js';

/** The part of a CloudTrail record EventBridge delivers that we read. */
export interface CloudTrailDetail {
  eventSource?: string;
  eventName?: string;
  eventID?: string;
  errorCode?: string;
  requestParameters?: { userPoolId?: string } | null;
  additionalEventData?: { sub?: string } | null;
}

export type CognitoApiCallEvent = EventBridgeEvent<'AWS API Call via CloudTrail', CloudTrailDetail>;

export interface CognitoEventsDeps {
  db: Db;
  issuer: string;
  userPoolId: string;
  directory: UserDirectory;
  /** The one erasure path. */
  erase: (userId: string, context: { source: string; requestId: string | null }) => Promise<void>;
  logger: HandlerLogger;
}

export type CognitoEventOutcome = 'erased' | 'refreshed' | 'disabled' | 'enabled' | 'unchanged' | 'unknown_user' | 'ignored';

const DELETE = new Set<string>(DELETE_EVENTS);
const UPDATE = new Set<string>(UPDATE_EVENTS);

/**
 * CloudTrail `cognito-idp` events from EventBridge (Cognito has no delete or
 * update trigger). Idempotent and safe out of order: erasure is final, so a
 * late update, enable or replayed Post Confirmation never brings a user
 * back; updates re-read the user from Cognito rather than trusting the
 * event (CloudTrail hides attribute values). Unknown or failed calls are
 * ignored; a thrown error makes EventBridge retry, then dead-letter.
 */
export function createCognitoEventsHandler(deps: CognitoEventsDeps) {
  return async (event: CognitoApiCallEvent): Promise<{ outcome: CognitoEventOutcome }> => {
    const detail = event?.detail ?? {};
    const name = detail.eventName ?? '';
    const sub = detail.additionalEventData?.sub;
    const context = { eventName: name, eventId: detail.eventID };
    const source = 'cognito_event';
    const requestId = detail.eventID ?? null;
    let userId: string | null = null;

    if (detail.eventSource !== 'cognito-idp.amazonaws.com' || detail.errorCode) return done('ignored');
    if (detail.requestParameters?.userPoolId && detail.requestParameters.userPoolId !== deps.userPoolId) return done('ignored');
    if (typeof sub !== 'string' || sub === '') {
      deps.logger.warn('Cognito event without a sub; ignored', context);
      return done('ignored');
    }
    userId = await findUserIdByIdentity(deps.db, deps.issuer, sub);

    if (DELETE.has(name)) {
      if (userId === null) return done('unknown_user');
      await deps.erase(userId, { source, requestId });
      return done('erased');
    }
    if (UPDATE.has(name)) {
      if (userId === null) return done('unknown_user');
      const user = await deps.directory.findBySub(sub);
      if (user === null) return done('unchanged'); // deleted meanwhile: its delete event erases it
      const changed = await refreshIdentity(deps.db, deps.issuer, sub, user, { source, requestId });
      return done(changed ? 'refreshed' : 'unchanged');
    }
    if (name === 'AdminDisableUser' || name === 'AdminEnableUser') {
      if (userId === null) return done('unknown_user');
      const enabled = name === 'AdminEnableUser';
      const changed = await setUserEnabled(deps.db, userId, enabled, { source, requestId });
      return done(changed ? (enabled ? 'enabled' : 'disabled') : 'unchanged');
    }
    return done('ignored');

    function done(outcome: CognitoEventOutcome) {
      deps.logger.info('Cognito event handled', { ...context, outcome, userId });
      return { outcome };
    }
  };
}
