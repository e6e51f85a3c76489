import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import type { Jwk } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import type { AuthConfig, TokenUse } from '../config/index.js';
import { InvalidTokenError } from '../errors.js';
import type { VerifiedToken } from './types.js';

/** aws-jwt-verify's spelling of AUTH_TOKEN_USE: `null` means "id or access". */
export function libraryTokenUse(tokenUse: TokenUse): 'id' | 'access' | null {
  return tokenUse === 'any' ? null : tokenUse;
}

/**
 * Checks run after the signature, issuer, exp and nbf have passed. Several of
 * them repeat aws-jwt-verify on purpose: it skips `exp` when the claim is
 * absent, and we do not want any rule to depend on a library default.
 */
export function checkClaims(payload: JwtPayload, jwk: Jwk, auth: AuthConfig): void {
  // alg RS256 with an EC key would still "verify" (the library maps ES256 to the same digest name).
  if (jwk.kty !== 'RSA') throw new InvalidTokenError('key');
  if (typeof payload.exp !== 'number') throw new InvalidTokenError('claims');
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new InvalidTokenError('claims');
  const allowed = auth.tokenUse === 'any' ? ['id', 'access'] : [auth.tokenUse];
  if (typeof payload.token_use !== 'string' || !allowed.includes(payload.token_use)) {
    throw new InvalidTokenError('token_use');
  }
  // aud (ID token) or client_id (access token) must be one of ours; an empty list matches nothing.
  validateCognitoJwtFields(payload, { tokenUse: libraryTokenUse(auth.tokenUse), clientId: [...auth.clientIds] });
}

/** Builds the public view of a payload that has passed checkClaims. */
export function toVerifiedToken(payload: JwtPayload, issuer: string): VerifiedToken {
  const isId = payload.token_use === 'id';
  return Object.freeze({
    issuer,
    subject: text(payload.sub) ?? '',
    tokenUse: isId ? 'id' : 'access',
    clientId: text(isId ? payload.aud : payload.client_id) ?? '',
    email: isId ? text(payload.email) : null,
    emailVerified: isId ? flag(payload.email_verified) : null,
    username: text(isId ? payload['cognito:username'] : payload.username),
    groups: groups(payload['cognito:groups']),
  });
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

// Cognito sends a JSON boolean; emulators and Pre Token Generation sometimes send "true"/"false".
function flag(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return null;
}

// Groups may drive authorisation, so a malformed claim rejects the token instead of being ignored.
function groups(value: unknown): readonly string[] {
  if (value === undefined) return Object.freeze([]);
  if (!Array.isArray(value) || !value.every((group) => typeof group === 'string')) {
    throw new InvalidTokenError('claims');
  }
  return Object.freeze([...value]);
}
