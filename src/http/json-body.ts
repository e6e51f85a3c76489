import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError, type FieldError } from '../errors.js';

/**
 * JSON bodies (`application/json`, `application/merge-patch+json`) are parsed
 * by Fastify's own parser (prototype-poisoning protection included), then
 * refused if any string or member name holds U+0000 or half a surrogate
 * pair: PostgreSQL stores neither in text or jsonb (a 500 otherwise), and
 * neither is meaningful in a profile.
 */
export function registerJsonParsers(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  const parser = (request: FastifyRequest, body: string, done: (error: Error | null, value?: unknown) => void) => {
    parse(request, body, (error: Error | null, value?: unknown) => {
      if (error) return done(error);
      const errors = nulCharacters(value, '');
      done(errors.length > 0 ? new ValidationError(errors) : null, value);
    });
  };
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(['application/json', 'application/merge-patch+json'], { parseAs: 'string' }, parser);
}

/** Half of a UTF-16 pair: PostgreSQL's jsonb refuses it, and it is never text anyone meant. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function nulCharacters(value: unknown, pointer: string): FieldError[] {
  if (typeof value === 'string') {
    if (value.includes('\0')) return [{ pointer, message: 'must not contain U+0000' }];
    return LONE_SURROGATE.test(value) ? [{ pointer, message: 'must be well-formed Unicode' }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => nulCharacters(item, `${pointer}/${i}`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => {
      const at = `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      return key.includes('\0') ? [{ pointer: at, message: 'member name must not contain U+0000' }] : nulCharacters(item, at);
    });
  }
  return [];
}
