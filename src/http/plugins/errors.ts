import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isDatabaseUnavailable } from '../../db/index.js';
import { ProfileServiceError, type FieldError } from '../../errors.js';
import { READ_ONLY_FIELDS } from '../../profiles/index.js';
import { PROBLEM_CONTENT_TYPE, problem, type Problem } from '../problem.js';

interface Mapping {
  status: number;
  slug: string;
  title: string;
  /** Client-facing detail; never the internal message for 5xx or auth failures. */
  detail?: string;
}

const DOMAIN_ERRORS: Record<string, Mapping> = {
  ERR_MISSING_TOKEN: { status: 401, slug: 'unauthorized', title: 'Unauthorized', detail: 'A bearer token is required' },
  ERR_INVALID_TOKEN: { status: 401, slug: 'invalid-token', title: 'Unauthorized', detail: 'The bearer token is not valid' },
  ERR_JWKS_UNAVAILABLE: { status: 503, slug: 'unavailable', title: 'Service Unavailable', detail: 'Token keys cannot be fetched; try again shortly' },
  ERR_FORBIDDEN: { status: 403, slug: 'forbidden', title: 'Forbidden' },
  ERR_CONFLICT: { status: 409, slug: 'conflict', title: 'Conflict' },
  ERR_ATTRIBUTE_NOT_FOUND: { status: 404, slug: 'not-found', title: 'Not Found', detail: 'No such attribute definition' },
  ERR_USER_NOT_FOUND: { status: 404, slug: 'not-found', title: 'Not Found', detail: 'No such user' },
  ERR_USER_ERASED: { status: 404, slug: 'not-found', title: 'Not Found', detail: 'No such user' },
  ERR_NOT_PROVISIONED: {
    status: 404,
    slug: 'not-provisioned',
    title: 'Not Found',
    detail: 'No profile exists for this identity yet',
  },
  ERR_VERSION_MISMATCH: {
    status: 412,
    slug: 'precondition-failed',
    title: 'Precondition Failed',
    detail: 'The resource has changed since the version given in If-Match',
  },
  ERR_PRECONDITION_REQUIRED: { status: 428, slug: 'precondition-required', title: 'Precondition Required' },
  ERR_ROLE_NOT_FOUND: { status: 404, slug: 'not-found', title: 'Not Found', detail: 'No such role' },
  ERR_VALIDATION: { status: 422, slug: 'validation', title: 'Unprocessable Content' },
  ERR_MALFORMED_INPUT: { status: 400, slug: 'bad-request', title: 'Bad Request' },
  ERR_MEDIA_NOT_FOUND: { status: 404, slug: 'not-found', title: 'Not Found', detail: 'No such media item' },
  ERR_MEDIA_NOT_UPLOADED: {
    status: 409,
    slug: 'not-uploaded',
    title: 'Conflict',
    detail: 'Nothing has been uploaded for this item yet: PUT the file to its upload URL, then complete it',
  },
  ERR_MEDIA_MISMATCH: { status: 422, slug: 'upload-mismatch', title: 'Unprocessable Content', detail: 'The uploaded object is not what was declared' },
  ERR_MEDIA_LIMIT: { status: 409, slug: 'media-limit', title: 'Conflict' },
  ERR_MEDIA_NOT_CONFIGURED: {
    status: 501,
    slug: 'media-not-configured',
    title: 'Not Implemented',
    detail: 'Media storage is not configured on this server',
  },
  ERR_STORAGE_UNAVAILABLE: {
    status: 503,
    slug: 'unavailable',
    title: 'Service Unavailable',
    detail: 'The media store is unavailable; try again shortly',
  },
  ERR_DATABASE_UNAVAILABLE: {
    status: 503,
    slug: 'unavailable',
    title: 'Service Unavailable',
    detail: 'The database is unavailable; try again shortly',
  },
};

const FASTIFY_ERRORS: Record<string, Mapping> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, slug: 'too-large', title: 'Content Too Large', detail: 'The request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    slug: 'unsupported-media-type',
    title: 'Unsupported Media Type',
    detail: 'Send application/json or application/merge-patch+json',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, slug: 'bad-request', title: 'Bad Request', detail: 'The body is not valid JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, slug: 'bad-request', title: 'Bad Request', detail: 'The body is empty' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, slug: 'bad-request', title: 'Bad Request', detail: 'Content-Length does not match the body' },
};

/**
 * Every error leaves as an RFC 9457 problem document. Domain errors are
 * mapped by their stable code; a 5xx never shows its internal message.
 */
export const errorsPlugin = fp(async (app: FastifyInstance) => {
  app.setErrorHandler(async (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const body = toProblem(error, request);
    if (body.status >= 500) {
      request.log.error({ err: error }, 'request failed');
    } else if (error instanceof ProfileServiceError && error.code === 'ERR_INVALID_TOKEN') {
      request.log.info({ reason: (error as { reason?: string }).reason }, 'token rejected');
    }
    if (body.status === 401) reply.header('WWW-Authenticate', wwwAuthenticate(error));
    if (body.status === 503) reply.header('Retry-After', '1');
    return sendProblem(reply, body);
  });

  app.setNotFoundHandler(async (request, reply) =>
    sendProblem(reply, problem(404, 'not-found', 'Not Found', `No route for ${request.method} ${request.url.split('?')[0]}`)),
  );
});

export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).serializer(JSON.stringify).send(body);
}

function toProblem(error: FastifyError, request: FastifyRequest): Problem {
  if (error.validation) return validationProblem(error);
  const code = typeof error.code === 'string' ? error.code : '';
  const mapping = DOMAIN_ERRORS[code] ?? FASTIFY_ERRORS[code];
  if (mapping) {
    const errors = error instanceof ProfileServiceError ? (error as { errors?: readonly FieldError[] }).errors : undefined;
    const detail = mapping.detail ?? error.message;
    return problem(mapping.status, mapping.slug, mapping.title, detail, errors && errors.length > 0 ? { errors } : {});
  }
  if (isDatabaseUnavailable(error)) return toProblem(Object.assign(new Error(), { code: 'ERR_DATABASE_UNAVAILABLE' }) as FastifyError, request);
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  if (status < 500) return problem(status, 'bad-request', httpTitle(status), error.message);
  return problem(500, 'internal', 'Internal Server Error', `The request failed; quote request id ${request.id} when reporting it`);
}

function wwwAuthenticate(error: FastifyError): string {
  return (error as { code?: string }).code === 'ERR_MISSING_TOKEN' ? 'Bearer' : 'Bearer error="invalid_token"';
}

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
  parentSchema?: { description?: string };
}

/**
 * Turns schema violations into `errors[]` with JSON Pointers. A body that is
 * not a JSON object at all is a 400; a well-formed body that breaks the
 * schema is a 422. The `anyOf` noise of nullable fields is collapsed to one
 * message per field.
 */
function validationProblem(error: FastifyError): Problem {
  const context = (error as { validationContext?: string }).validationContext ?? 'body';
  const raw = (error.validation ?? []) as unknown as AjvError[];
  const errors = collapse(raw.map(toFieldError));
  const rootTypeError = context === 'body' && raw.some((e) => e.instancePath === '' && e.keyword === 'type');
  if (context !== 'body' || rootTypeError) {
    return problem(400, 'bad-request', 'Bad Request', `The request ${context} is malformed`, { errors });
  }
  return problem(422, 'validation', 'Unprocessable Content', 'The request body breaks the schema', { errors });
}

function toFieldError(e: AjvError): FieldError & { keyword: string } {
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(e.params.additionalProperty);
      const readOnly = e.instancePath === '' && READ_ONLY_FIELDS.includes(name);
      return { pointer: `${e.instancePath}/${escape(name)}`, message: readOnly ? 'is read-only' : 'is not a known field', keyword: e.keyword };
    }
    case 'required':
      return { pointer: `${e.instancePath}/${escape(String(e.params.missingProperty))}`, message: 'is required', keyword: e.keyword };
    case 'pattern':
      return { pointer: `${e.instancePath}`, message: `must be ${e.parentSchema?.description ?? 'in the expected format'}`, keyword: e.keyword };
    default:
      return { pointer: `${e.instancePath}`, message: e.message ?? 'is invalid', keyword: e.keyword };
  }
}

function collapse(errors: (FieldError & { keyword: string })[]): FieldError[] {
  const byPointer = new Map<string, (FieldError & { keyword: string })[]>();
  for (const e of errors) byPointer.set(e.pointer, [...(byPointer.get(e.pointer) ?? []), e]);
  const result: FieldError[] = [];
  for (const [pointer, group] of byPointer) {
    const deeper = [...byPointer.keys()].some((other) => other.startsWith(`${pointer}/`));
    const specific = group.filter((e) => e.keyword !== 'type' && e.keyword !== 'anyOf');
    if (specific.length > 0) {
      for (const e of specific) result.push({ pointer, message: e.message });
    } else if (!deeper) {
      const types = group.filter((e) => e.keyword === 'type').map((e) => e.message.replace(/^must be /, ''));
      result.push({ pointer, message: types.length > 0 ? `must be ${[...new Set(types)].join(' or ')}` : 'is invalid' });
    }
  }
  return result;
}

function escape(name: string): string {
  return name.replaceAll('~', '~0').replaceAll('/', '~1');
}

function httpTitle(status: number): string {
  const titles: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable', 413: 'Content Too Large', 415: 'Unsupported Media Type', 428: 'Precondition Required' };
  return titles[status] ?? 'Client Error';
}
