import type { Fetcher } from 'aws-jwt-verify/https';

/** The caller as established by a verified Cognito (or Cognito-shaped) token. */
export interface VerifiedToken {
  /** The configured issuer; equal to the token's `iss` (checked exactly). */
  issuer: string;
  /** `sub`, kept as text: Cognito does not promise any UUID format. */
  subject: string;
  tokenUse: 'id' | 'access';
  /** `aud` of an ID token, `client_id` of an access token. */
  clientId: string;
  /** ID tokens only; `null` for access tokens or when absent. */
  email: string | null;
  emailVerified: boolean | null;
  /** `cognito:username` (ID token) or `username` (access token). */
  username: string | null;
  /** `cognito:groups`, `[]` when absent. */
  groups: readonly string[];
}

export interface TokenVerifier {
  /** Resolves only for an acceptable token; rejects with InvalidTokenError or JwksUnavailableError. */
  verify(token: string): Promise<VerifiedToken>;
  /** Prefetch the JWKS so the first request does not pay for it; rejects with JwksUnavailableError. */
  hydrate(): Promise<void>;
}

/**
 * aws-jwt-verify's own Fetcher shape: an object whose `fetch(uri)` resolves to
 * the raw response body as an ArrayBuffer (status already checked). The extra
 * `requestOptions`/`data` parameters are never used for JWKS downloads.
 */
export type JwksFetcher = Fetcher;

export interface TokenVerifierOptions {
  /** Replace how the JWKS is downloaded (tests, proxies). Defaults per adapter. */
  fetcher?: JwksFetcher;
}
