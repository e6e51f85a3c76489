import { ProfileServiceError } from '../errors.js';

/**
 * The issuer's signing keys could not be obtained (network, timeout, bad
 * status, unparsable JWKS). This is the server's problem, not the caller's,
 * so it is kept apart from InvalidTokenError and lets HTTP answer 503.
 */
export class JwksUnavailableError extends ProfileServiceError {
  constructor(options?: { cause?: unknown }) {
    super('ERR_JWKS_UNAVAILABLE', "The identity provider's signing keys are unavailable", options);
  }
}
