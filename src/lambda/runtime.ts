import { Logger } from '@aws-lambda-powertools/logger';
import { loadConfig, type Config } from '../config/index.js';
// Not ../db/index.js: that would pull the embedded server into the Lambda bundle.
import { createDb } from '../db/connection.js';
import type { Db } from '../db/index.js';
import type { HandlerLogger } from './logger.js';

export interface LambdaRuntime {
  config: Config;
  db: Db;
  logger: HandlerLogger;
}

/**
 * What every trigger shares, built once per Lambda container at module
 * scope. One connection per container: a container runs one invocation at a
 * time, and RDS Proxy multiplexes the containers.
 */
export function createLambdaRuntime(env: NodeJS.ProcessEnv = process.env): LambdaRuntime {
  const config = loadConfig(env, { require: ['issuer', 'database'] });
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
  });
  return { config, db, logger };
}
