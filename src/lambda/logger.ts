/**
 * The logging surface the trigger handlers need. Powertools' Logger (in
 * Lambda) has exactly this shape; the local stack adapts pino to it.
 * Attributes must never carry tokens or personal data.
 */
export interface HandlerLogger {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

export const silentHandlerLogger: HandlerLogger = { info: () => {}, warn: () => {}, error: () => {} };
