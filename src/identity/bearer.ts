import { InvalidTokenError, MissingTokenError } from '../errors.js';

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;
const SCHEME = /^Bearer(?: |$)/i;

/** Extracts the token from an `Authorization` header value. */
export function bearerToken(authorization: string | undefined): string {
  // A blank header presents no credentials at all: that is "missing", not "invalid" (RFC 6750 §3.1).
  if (authorization === undefined || authorization.trim() === '') throw new MissingTokenError();
  const match = BEARER.exec(authorization);
  if (match?.[1] !== undefined) return match[1];
  throw new InvalidTokenError(SCHEME.test(authorization) ? 'malformed' : 'scheme');
}
