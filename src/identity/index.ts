export type { JwksFetcher, TokenVerifier, TokenVerifierOptions, VerifiedToken } from './types.js';
export { createTokenVerifier } from './verifier.js';
export { bearerToken } from './bearer.js';
export { httpJwksFetcher } from './jwks-fetcher.js';
export { JwksUnavailableError } from './errors.js';
