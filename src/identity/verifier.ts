import { CognitoJwtVerifier, JwtVerifier } from 'aws-jwt-verify';
import { SimpleFetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache, SimplePenaltyBox, type Jwk } from 'aws-jwt-verify/jwk';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import type { AuthConfig } from '../config/index.js';
import { ConfigError, InvalidTokenError } from '../errors.js';
import { checkClaims, libraryTokenUse, toVerifiedToken } from './claims.js';
import { toIdentityError } from './error-map.js';
import { guardFetcher, httpJwksFetcher } from './jwks-fetcher.js';
import type { TokenVerifier, TokenVerifierOptions } from './types.js';

/** API.md §2: an unknown `kid` may trigger a JWKS refetch at most once per 10 s. */
const REFETCH_WAIT_SECONDS = 10;
/** Clock skew tolerated on `exp` (and `nbf`). */
const GRACE_SECONDS = 5;

type VerifyPayload = (token: string) => Promise<JwtPayload>;

export function createTokenVerifier(auth: AuthConfig, options: TokenVerifierOptions = {}): TokenVerifier {
  assertUsable(auth);
  const defaultFetcher = auth.isAwsPool ? new SimpleFetcher() : httpJwksFetcher();
  // One cache we own, so hydrate() fetches exactly the configured URI (CognitoJwtVerifier
  // would also fetch the JWKS of the "issuer-cognito-idp" issuer format, which we never accept).
  const jwksCache = new SimpleJwksCache({
    fetcher: guardFetcher(options.fetcher ?? defaultFetcher),
    penaltyBox: new SimplePenaltyBox({ waitSeconds: REFETCH_WAIT_SECONDS }),
  });
  const customJwtCheck = ({ payload, jwk }: { payload: JwtPayload; jwk: Jwk }) => checkClaims(payload, jwk, auth);
  const verifyPayload = auth.isAwsPool
    ? cognitoAdapter(auth, jwksCache, customJwtCheck)
    : issuerAdapter(auth, jwksCache, customJwtCheck);

  return {
    async verify(token) {
      try {
        precheck(token, auth.issuer);
        return toVerifiedToken(await verifyPayload(token), auth.issuer);
      } catch (error) {
        throw toIdentityError(error);
      }
    },
    async hydrate() {
      try {
        await jwksCache.getJwks(auth.jwksUri);
      } catch (error) {
        throw toIdentityError(error);
      }
    },
  };
}

type ClaimCheck = (props: { payload: JwtPayload; jwk: Jwk }) => void;

function cognitoAdapter(auth: AuthConfig, jwksCache: SimpleJwksCache, customJwtCheck: ClaimCheck): VerifyPayload {
  const verifier = CognitoJwtVerifier.create(
    {
      userPoolId: auth.userPoolId,
      tokenUse: libraryTokenUse(auth.tokenUse),
      clientId: [...auth.clientIds],
      graceSeconds: GRACE_SECONDS,
      customJwtCheck,
    },
    { jwksCache },
  );
  return (token) => verifier.verify(token);
}

/** The local emulator (`local_…`, often http) or any other Cognito-shaped OIDC issuer. */
function issuerAdapter(auth: AuthConfig, jwksCache: SimpleJwksCache, customJwtCheck: ClaimCheck): VerifyPayload {
  const verifier = JwtVerifier.create(
    {
      issuer: auth.issuer,
      jwksUri: auth.jwksUri,
      // Cognito ID tokens carry aud, access tokens do not: checkClaims checks aud/client_id instead.
      audience: null,
      graceSeconds: GRACE_SECONDS,
      customJwtCheck,
    },
    { jwksCache },
  );
  return (token) => verifier.verify(token);
}

/**
 * Cheap checks before any key lookup. aws-jwt-verify accepts RS384/512, ES*
 * and EdDSA too, and CognitoJwtVerifier also accepts the pool's
 * "issuer-cognito-idp" issuer; we accept exactly RS256 and exactly our issuer.
 */
function precheck(token: string, issuer: string): void {
  const { header, payload } = decomposeUnverifiedJwt(token);
  if (header.alg !== 'RS256') throw new InvalidTokenError('algorithm');
  if (payload.iss !== issuer) throw new InvalidTokenError('issuer');
}

/** Config validates this already; repeated here so a hand-built AuthConfig cannot weaken verification. */
function assertUsable(auth: AuthConfig): void {
  const problems: string[] = [];
  for (const [name, value] of [['issuer', auth.issuer], ['jwksUri', auth.jwksUri]] as const) {
    const protocol = URL.canParse(value) ? new URL(value).protocol : null;
    if (protocol === 'http:' && !auth.allowInsecureIssuer) problems.push(`auth ${name} uses http:// but allowInsecureIssuer is false`);
    else if (protocol !== 'https:' && protocol !== 'http:') problems.push(`auth ${name} must be an http(s) URL`);
  }
  if (auth.clientIds.length === 0) problems.push('auth clientIds must not be empty');
  if (!['id', 'access', 'any'].includes(auth.tokenUse)) problems.push('auth tokenUse must be id, access or any');
  if (auth.isAwsPool) problems.push(...awsPoolProblems(auth));
  if (problems.length > 0) throw new ConfigError(problems);
}

// CognitoJwtVerifier derives issuer and JWKS URI from the pool id; they must be the ones configured.
function awsPoolProblems(auth: AuthConfig): string[] {
  try {
    const derived = CognitoJwtVerifier.parseUserPoolId(auth.userPoolId);
    if (derived.issuer === auth.issuer && derived.jwksUri === auth.jwksUri) return [];
    return [`auth issuer/jwksUri do not match user pool ${auth.userPoolId} (expected ${derived.issuer})`];
  } catch {
    return [`auth userPoolId ${auth.userPoolId} is not an AWS user pool id`];
  }
}
