import type { PreTokenGenerationTriggerEvent, PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { loadGrants, rolesForGroups } from '../access/index.js';
import type { GroupRole } from '../config/index.js';
import type { Db } from '../db/index.js';
import { ensureUser } from '../users/index.js';
import type { HandlerLogger } from './logger.js';
import { describeError, provisionInput, triggerUser, withTimeout, type TriggerPool } from './trigger.js';

/** The claims this trigger adds (docs/admin.md): strings, because V1 claim values must be. */
export const USER_ID_CLAIM = 'profile_user_id';
/** Space-separated role names, sorted (like OAuth's `scope`). */
export const ROLES_CLAIM = 'profile_roles';

export type PreTokenGenerationEvent = PreTokenGenerationTriggerEvent | PreTokenGenerationV2TriggerEvent;

/** The pool served (TriggerPool): the same (issuer, sub) key as tokens and Post Confirmation. */
export type PreTokenGenerationDeps = TriggerPool & {
  db: Db;
  /** AUTH_GROUP_ROLES: the roles the user's Cognito groups confer are listed too, as the API applies them. */
  groupRoles?: readonly GroupRole[];
  logger: HandlerLogger;
  /** Cognito allows 5 s; stop well before and let the sign-in go on without our claims. */
  timeoutMs?: number;
};

/**
 * Cognito Pre Token Generation: adds the user's internal id and roles as
 * claims. Event version 1 (and cognito-local's "0") can only change the ID
 * token (`response.claimsOverrideDetails`); versions 2 and 3 change both
 * tokens (`response.claimsAndScopeOverrideDetails`). A user without a row
 * yet (the Post Confirmation trigger failed, an imported or admin-created
 * user) is provisioned first through the one ensureUser path. Any failure
 * returns the event as it came: sign-in is never blocked by this service.
 */
export function createPreTokenGenerationHandler(deps: PreTokenGenerationDeps) {
  const timeoutMs = deps.timeoutMs ?? 3500;
  return async <E extends PreTokenGenerationEvent>(event: E): Promise<E> => {
    const user = triggerUser(event, { pool: deps, accepts: (source) => source.startsWith('TokenGeneration_'), name: 'Pre Token Generation' }, deps.logger);
    if (user === null) return event;
    const { context } = user;

    const started = Date.now();
    try {
      const claims = await withTimeout(
        (async () => {
          const { userId, created } = await ensureUser(deps.db, provisionInput(user, 'pre_token_generation'));
          if (created) deps.logger.info('user provisioned at token generation', { ...context, userId });
          const groups = event.request.groupConfiguration?.groupsToOverride ?? [];
          const roles = [...new Set([...(await loadGrants(deps.db, userId)).roles, ...rolesForGroups(groups, deps.groupRoles ?? [])])].sort();
          return { [USER_ID_CLAIM]: userId, [ROLES_CLAIM]: roles.join(' ') };
        })(),
        timeoutMs,
      );
      deps.logger.info('claims added', { ...context, ms: Date.now() - started });
      return withClaims(event, claims);
    } catch (error) {
      deps.logger.error('no claims added; the token is issued without them', { ...context, error: describeError(error), ms: Date.now() - started });
      return event;
    }
  };
}

/** A copy of the event whose response adds `claims`, keeping whatever the response already asked for. */
function withClaims<E extends PreTokenGenerationEvent>(event: E, claims: Record<string, string>): E {
  const copy = structuredClone(event);
  if (isV2(copy)) {
    const details = copy.response?.claimsAndScopeOverrideDetails ?? {};
    copy.response = {
      ...copy.response,
      claimsAndScopeOverrideDetails: {
        ...details,
        idTokenGeneration: { ...details.idTokenGeneration, claimsToAddOrOverride: { ...details.idTokenGeneration?.claimsToAddOrOverride, ...claims } },
        accessTokenGeneration: {
          ...details.accessTokenGeneration,
          claimsToAddOrOverride: { ...details.accessTokenGeneration?.claimsToAddOrOverride, ...claims },
        },
      },
    };
  } else {
    const v1 = copy as PreTokenGenerationTriggerEvent;
    const details = v1.response?.claimsOverrideDetails ?? {};
    v1.response = { ...v1.response, claimsOverrideDetails: { ...details, claimsToAddOrOverride: { ...details.claimsToAddOrOverride, ...claims } } };
  }
  return copy;
}

/** Versions "2" and "3" (V2_0, V3_0) carry claimsAndScopeOverrideDetails; "1" (and cognito-local's "0") the V1 shape. */
function isV2(event: PreTokenGenerationEvent): event is PreTokenGenerationV2TriggerEvent {
  return Number(event.version) >= 2;
}
