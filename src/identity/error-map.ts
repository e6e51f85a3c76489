import {
  CognitoJwtInvalidClientIdError,
  CognitoJwtInvalidTokenUseError,
  FetchError,
  JwkInvalidKtyError,
  JwkInvalidUseError,
  JwkValidationError,
  JwksNotAvailableInCacheError,
  JwksValidationError,
  JwtExpiredError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
import { InvalidTokenError } from '../errors.js';
import { JwksUnavailableError } from './errors.js';

type ErrorClass = abstract new (...args: never[]) => Error;

// Subclasses before their bases: JwtInvalidSignatureAlgorithmError is also a FailedAssertionError, etc.
const REASONS: ReadonlyArray<readonly [ErrorClass, string]> = [
  [JwtParseError, 'malformed'],
  [JwtWithoutValidKidError, 'malformed'],
  [JwtInvalidSignatureAlgorithmError, 'algorithm'],
  [JwtInvalidSignatureError, 'signature'],
  [JwtExpiredError, 'expired'],
  [JwtNotBeforeError, 'not_yet_valid'],
  [JwtInvalidIssuerError, 'issuer'],
  [JwtInvalidAudienceError, 'audience'],
  [CognitoJwtInvalidClientIdError, 'audience'],
  [CognitoJwtInvalidTokenUseError, 'token_use'],
  [KidNotFoundInJwksError, 'unknown_kid'],
  // The penalty box refused a refetch: still an unknown kid from the caller's side.
  [WaitPeriodNotYetEndedJwkError, 'unknown_kid'],
  [JwkInvalidUseError, 'key'],
  [JwkInvalidKtyError, 'key'],
];

// The issuer served something unusable: not the caller's fault.
const UNAVAILABLE: readonly ErrorClass[] = [FetchError, JwksValidationError, JwkValidationError, JwksNotAvailableInCacheError];

/**
 * Maps anything thrown while verifying to InvalidTokenError (with a short
 * machine `reason`) or JwksUnavailableError. Unknown errors fail closed as
 * 'invalid'; the original stays in `cause` for logs (it never holds the token).
 */
export function toIdentityError(error: unknown): InvalidTokenError | JwksUnavailableError {
  if (error instanceof InvalidTokenError || error instanceof JwksUnavailableError) return error;
  if (UNAVAILABLE.some((type) => error instanceof type)) return new JwksUnavailableError({ cause: error });
  const reason = REASONS.find(([type]) => error instanceof type)?.[1] ?? 'invalid';
  return new InvalidTokenError(reason, { cause: error });
}
