import { Logger } from '@aws-lambda-powertools/logger';
import { loadConfig, type Config } from '../config/index.js';
// Not ../db/index.js: that would pull the embedded server into the Lambda bundle.
import { createDb } from '../db/connection.js';
import type { Db } from '../db/index.js';
import type { HandlerLogger } from './logger.js';
import type { TriggerPool } from './trigger.js';

export interface LambdaRuntime {
  config: Config;
  db: Db;
  logger: HandlerLogger;
}

export interface LambdaRuntimeOptions {
  /**
   * `configured` (the cognito-events handler): COGNITO_USER_POOL_ID must be
   * set. `configured-or-event` (the Cognito triggers): it may instead be
   * TRIGGER_ISSUER_FROM_EVENT=true, because a trigger's environment cannot
   * name the pool that names the trigger (ADR 0003).
   */
  issuer: 'configured' | 'configured-or-event';
}

/**
 * What every handler shares, built once per Lambda container at module
 * scope. One connection per container: a container runs one invocation at a
 * time, and RDS Proxy multiplexes the containers.
 */
export function createLambdaRuntime(env: NodeJS.ProcessEnv = process.env, options: LambdaRuntimeOptions = { issuer: 'configured' }): LambdaRuntime {
  const config = loadConfig(env, { require: [options.issuer === 'configured' ? 'issuer' : 'trigger-issuer', 'database'] });
  const powertools = new Logger({
    serviceName: 'profile-service',
    logLevel: (config.logLevel === 'fatal' ? 'CRITICAL' : config.logLevel.toUpperCase()) as 'INFO',
  });
  const logger: HandlerLogger = {
    info: (message, attributes) => powertools.info(message, attributes ?? {}),
    warn: (message, attributes) => powertools.warn(message, attributes ?? {}),
    error: (message, attributes) => powertools.error(message, attributes ?? {}),
  };
  const db = createDb(config.database.url!, {
    max: 1,
    connectionTimeoutMillis: 1500,
    statementTimeoutMillis: 2500,
    applicationName: 'profile-service-lambda',
    iamAuth: config.database.iamAuth,
  });
  return { config, db, logger };
}

/** The pool a trigger serves, from a configuration loaded with `configured-or-event`. */
export function triggerPool(config: Config): TriggerPool {
  if (config.auth !== null) return { issuer: config.auth.issuer, userPoolId: config.auth.userPoolId };
  if (config.triggerIssuerFromEvent) return { issuerFromEvent: true };
  // loadConfig refuses this combination; kept so a change there cannot turn into "any pool".
  throw new Error('no user pool configured and TRIGGER_ISSUER_FROM_EVENT is not true');
}
