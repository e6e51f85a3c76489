/**
 * The slice of a pino logger the local-stack pieces use; pino's `Logger` (and
 * Fastify's) satisfy it. Defaults to a logger that drops everything.
 */
export interface DevLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => {};

export const silentLogger: DevLogger = { debug: noop, info: noop, warn: noop, error: noop };
