/**
 * Reads a JWT's payload WITHOUT verifying anything. For local tooling only
 * (picking `sub` and `exp` out of a token cognito-local just issued); never
 * use it to make a trust decision.
 */
export function decodeJwtPayloadUnverified(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (part === undefined) throw new Error('Not a JWT: expected three dot-separated parts');
  const payload: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new Error('Not a JWT: the payload is not a JSON object');
  }
  return payload as Record<string, unknown>;
}
