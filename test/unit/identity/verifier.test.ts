import { createSign, generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuthConfig } from '../../../src/config/index.js';
import { ConfigError, InvalidTokenError, MissingTokenError } from '../../../src/errors.js';
import { bearerToken, createTokenVerifier, JwksUnavailableError } from '../../../src/identity/index.js';
import { memoryJwksFetcher } from '../../fixtures/identity/memory-fetcher.js';
import {
  accessTokenClaims,
  base64url,
  createTestKey,
  idTokenClaims,
  jwksOf,
  signHs256,
  signingInput,
  signRs256,
  type Claims,
} from '../../fixtures/identity/sign.js';

const NOW = new Date('2030-01-01T00:00:00Z');
const NOW_SECONDS = NOW.getTime() / 1000;
const ISSUER = 'http://127.0.0.1:9229/local_Test';
const CLIENT_ID = 'localclient1';
const KEY = createTestKey('key-1');
const OTHER_KEY = createTestKey('key-2');

function localAuth(overrides: Partial<AuthConfig> = {}): AuthConfig {
  return {
    userPoolId: 'local_Test',
    region: 'local',
    issuer: ISSUER,
    jwksUri: `${ISSUER}/.well-known/jwks.json`,
    clientIds: ['someotherclient', CLIENT_ID],
    tokenUse: 'any',
    allowInsecureIssuer: true,
    isAwsPool: false,
    ...overrides,
  };
}

function setup(overrides: Partial<AuthConfig> = {}) {
  const auth = localAuth(overrides);
  const fetcher = memoryJwksFetcher(jwksOf(KEY));
  return { auth, fetcher, verifier: createTokenVerifier(auth, { fetcher }) };
}

const claimsInput = { issuer: ISSUER, clientId: CLIENT_ID, nowSeconds: NOW_SECONDS };
const idToken = (overrides: Claims = {}) => signRs256(KEY, idTokenClaims(claimsInput, overrides));
const accessToken = (overrides: Claims = {}) => signRs256(KEY, accessTokenClaims(claimsInput, overrides));

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function expectInvalid(promise: Promise<unknown>, reason: string): Promise<void> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(InvalidTokenError);
  expect(error).toMatchObject({ code: 'ERR_INVALID_TOKEN', reason });
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('bearerToken', () => {
  it('reports a missing header as MissingTokenError', () => {
    expect(() => bearerToken(undefined)).toThrow(MissingTokenError);
  });

  it('reports an empty header as MissingTokenError', () => {
    expect(() => bearerToken('')).toThrow(MissingTokenError);
    expect(() => bearerToken('   ')).toThrow(MissingTokenError);
  });

  it('refuses another scheme', () => {
    expect(() => bearerToken('Basic dXNlcjpwYXNz')).toThrow(expect.objectContaining({ reason: 'scheme' }));
    expect(() => bearerToken('Bearerabc')).toThrow(expect.objectContaining({ reason: 'scheme' }));
  });

  it.each(['Bearer', 'Bearer ', 'Bearer  abc', 'Bearer a b', 'Bearer abc,def', 'Bearer ab=c'])(
    'refuses the malformed value %j',
    (header) => {
      expect(() => bearerToken(header)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_TOKEN', reason: 'malformed' }));
    },
  );

  it('returns the token, whatever the case of the scheme', () => {
    expect(bearerToken('Bearer aaa.bbb.ccc')).toBe('aaa.bbb.ccc');
    expect(bearerToken('bEaReR a-b_c.d~e+f/g==')).toBe('a-b_c.d~e+f/g==');
  });
});

describe('createTokenVerifier: issuer adapter (JwtVerifier)', () => {
  it('accepts a valid ID token and returns its identity', async () => {
    const { verifier } = setup();
    await expect(verifier.verify(idToken())).resolves.toEqual({
      issuer: ISSUER,
      subject: 'a1b2c3d4-0000-4000-8000-00000000abcd',
      tokenUse: 'id',
      clientId: CLIENT_ID,
      email: 'alice@example.com',
      emailVerified: true,
      username: 'alice',
      groups: ['admins', 'staff'],
    });
  });

  it('accepts a valid access token and returns its identity', async () => {
    const { verifier } = setup();
    const token = accessToken({ sub: 'not-a-uuid|42', 'cognito:groups': undefined });
    await expect(verifier.verify(token)).resolves.toEqual({
      issuer: ISSUER,
      subject: 'not-a-uuid|42',
      tokenUse: 'access',
      clientId: CLIENT_ID,
      email: null,
      emailVerified: null,
      username: 'alice',
      groups: [],
    });
  });

  it('refuses garbage', async () => {
    await expectInvalid(setup().verifier.verify('not-a-jwt'), 'malformed');
  });

  it('refuses alg none without touching the JWKS', async () => {
    const { verifier, fetcher } = setup();
    await expectInvalid(verifier.verify(`${signingInput({ alg: 'none', kid: KEY.kid }, idTokenClaims(claimsInput))}.`), 'malformed');
    await expectInvalid(verifier.verify(`${signingInput({ alg: 'none', kid: KEY.kid }, idTokenClaims(claimsInput))}.AA`), 'algorithm');
    expect(fetcher.calls).toEqual([]);
  });

  it('refuses HS256 signed with the public key as the HMAC secret', async () => {
    const token = signHs256(KEY.publicPem, idTokenClaims(claimsInput), { kid: KEY.kid });
    await expectInvalid(setup().verifier.verify(token), 'algorithm');
  });

  it('refuses RS512 even though aws-jwt-verify supports it', async () => {
    // Many OIDC issuers publish keys without `alg`; then only our own check stops RS512.
    const { verifier, fetcher } = setup();
    fetcher.serve({ keys: [{ ...KEY.publicJwk, alg: undefined }] });
    const input = signingInput({ alg: 'RS512', kid: KEY.kid }, idTokenClaims(claimsInput));
    const signature = createSign('RSA-SHA512').update(input).sign(KEY.privateKey);
    await expectInvalid(verifier.verify(`${input}.${base64url(signature)}`), 'algorithm');
    await expect(verifier.verify(idToken())).resolves.toMatchObject({ tokenUse: 'id' });
  });

  it('refuses an expired token (after the 5 s grace)', async () => {
    const { verifier } = setup();
    const token = idToken({ exp: NOW_SECONDS + 60 });
    vi.setSystemTime(NOW.getTime() + 64_000);
    await expect(verifier.verify(token)).resolves.toMatchObject({ tokenUse: 'id' });
    vi.setSystemTime(NOW.getTime() + 66_000);
    await expectInvalid(verifier.verify(token), 'expired');
  });

  it('refuses a token without exp', async () => {
    await expectInvalid(setup().verifier.verify(idToken({ exp: undefined })), 'claims');
  });

  it('refuses a token that is not yet valid (nbf)', async () => {
    await expectInvalid(setup().verifier.verify(idToken({ nbf: NOW_SECONDS + 60 })), 'not_yet_valid');
  });

  it('refuses a token without sub', async () => {
    await expectInvalid(setup().verifier.verify(idToken({ sub: '' })), 'claims');
  });

  it('refuses a wrong issuer', async () => {
    const { verifier } = setup();
    await expectInvalid(verifier.verify(idToken({ iss: 'http://127.0.0.1:9229/local_Other' })), 'issuer');
    await expectInvalid(verifier.verify(idToken({ iss: `${ISSUER}/` })), 'issuer');
    await expectInvalid(verifier.verify(idToken({ iss: undefined })), 'issuer');
  });

  it('refuses an ID token for another audience', async () => {
    const { verifier } = setup();
    await expectInvalid(verifier.verify(idToken({ aud: 'strangerclient' })), 'audience');
    await expectInvalid(verifier.verify(idToken({ aud: undefined, client_id: CLIENT_ID })), 'audience');
  });

  it('refuses an access token for another client_id', async () => {
    const { verifier } = setup();
    await expectInvalid(verifier.verify(accessToken({ client_id: 'strangerclient' })), 'audience');
    await expectInvalid(verifier.verify(accessToken({ client_id: undefined, aud: CLIENT_ID })), 'audience');
  });

  it('refuses an ID token when only access tokens are allowed', async () => {
    await expectInvalid(setup({ tokenUse: 'access' }).verifier.verify(idToken()), 'token_use');
  });

  it('refuses an access token when only ID tokens are allowed', async () => {
    await expectInvalid(setup({ tokenUse: 'id' }).verifier.verify(accessToken()), 'token_use');
  });

  it('refuses token_use refresh under any', async () => {
    await expectInvalid(setup({ tokenUse: 'any' }).verifier.verify(accessToken({ token_use: 'refresh' })), 'token_use');
  });

  it('refuses a missing token_use under any', async () => {
    await expectInvalid(setup({ tokenUse: 'any' }).verifier.verify(idToken({ token_use: undefined })), 'token_use');
  });

  it('refuses an unknown kid', async () => {
    await expectInvalid(setup().verifier.verify(signRs256(OTHER_KEY, idTokenClaims(claimsInput))), 'unknown_kid');
  });

  it('refuses a tampered payload that keeps the original signature', async () => {
    const [header, , signature] = idToken().split('.');
    const forged = `${header}.${base64url(JSON.stringify(idTokenClaims(claimsInput, { sub: 'someone-else' })))}.${signature}`;
    await expectInvalid(setup().verifier.verify(forged), 'signature');
  });

  it('refuses a token signed by another key under our kid', async () => {
    const token = signRs256(OTHER_KEY, idTokenClaims(claimsInput), { kid: KEY.kid });
    await expectInvalid(setup().verifier.verify(token), 'signature');
  });

  it('refuses an RS256 token whose kid names an EC key', async () => {
    // aws-jwt-verify hashes RS256 and ES256 alike, so an ECDSA signature would verify without a kty check.
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { verifier, fetcher } = setup();
    fetcher.serve({ keys: [{ ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1', use: 'sig' }] });
    const input = signingInput({ alg: 'RS256', kid: 'ec-1' }, idTokenClaims(claimsInput));
    const signature = createSign('SHA256').update(input).sign({ key: ec.privateKey, dsaEncoding: 'ieee-p1363' });
    await expectInvalid(verifier.verify(`${input}.${base64url(signature)}`), 'key');
  });

  it('refuses malformed cognito:groups rather than ignoring them', async () => {
    await expectInvalid(setup().verifier.verify(idToken({ 'cognito:groups': 'admins' })), 'claims');
  });
});

describe('JWKS caching', () => {
  it('downloads the JWKS once for many verifications', async () => {
    const { verifier, fetcher } = setup();
    for (let i = 0; i < 20; i += 1) await verifier.verify(i % 2 ? idToken() : accessToken());
    expect(fetcher.calls).toEqual([`${ISSUER}/.well-known/jwks.json`]);
  });

  it('hydrate() prefetches, so verification needs no download', async () => {
    const { verifier, fetcher } = setup();
    await verifier.hydrate();
    expect(fetcher.calls).toHaveLength(1);
    await verifier.verify(idToken());
    expect(fetcher.calls).toHaveLength(1);
  });

  it('refetches on an unknown kid at most once per 10 s, then picks up a rotated key', async () => {
    const { verifier, fetcher } = setup();
    const rotated = signRs256(OTHER_KEY, idTokenClaims(claimsInput));
    await verifier.verify(idToken());
    expect(fetcher.calls).toHaveLength(1);

    await expectInvalid(verifier.verify(rotated), 'unknown_kid');
    expect(fetcher.calls).toHaveLength(2);

    fetcher.serve(jwksOf(KEY, OTHER_KEY)); // the issuer rotates its keys
    await expectInvalid(verifier.verify(rotated), 'unknown_kid');
    vi.advanceTimersByTime(9_999);
    await expectInvalid(verifier.verify(rotated), 'unknown_kid');
    expect(fetcher.calls).toHaveLength(2);
    await expect(verifier.verify(idToken())).resolves.toMatchObject({ tokenUse: 'id' }); // known kids still work

    vi.advanceTimersByTime(1);
    await expect(verifier.verify(rotated)).resolves.toMatchObject({ tokenUse: 'id' });
    expect(fetcher.calls).toHaveLength(3);
  });

  it('reports an unreachable JWKS as JwksUnavailableError, not as a bad token', async () => {
    const { verifier, fetcher } = setup();
    fetcher.fail(new Error('ECONNREFUSED'));
    await expect(verifier.verify(idToken())).rejects.toBeInstanceOf(JwksUnavailableError);
    await expect(verifier.hydrate()).rejects.toMatchObject({ code: 'ERR_JWKS_UNAVAILABLE' });
  });

  it('reports an unparsable JWKS as JwksUnavailableError', async () => {
    const { verifier, fetcher } = setup();
    fetcher.serve({ keys: 'nope' });
    await expect(verifier.verify(idToken())).rejects.toBeInstanceOf(JwksUnavailableError);
  });
});

describe('createTokenVerifier: configuration', () => {
  it('refuses an http:// issuer unless allowInsecureIssuer is true', () => {
    expect(() => createTokenVerifier(localAuth({ allowInsecureIssuer: false }))).toThrow(ConfigError);
  });

  it('refuses an http:// JWKS URI behind an https:// issuer', () => {
    const auth = localAuth({ issuer: 'https://idp.example.com', allowInsecureIssuer: false });
    expect(() => createTokenVerifier(auth)).toThrow(ConfigError);
  });

  it('refuses an empty client id list', () => {
    expect(() => createTokenVerifier(localAuth({ clientIds: [] }))).toThrow(ConfigError);
  });
});

describe('createTokenVerifier: AWS pool adapter (CognitoJwtVerifier)', () => {
  const POOL = 'eu-west-1_AbC123';
  const AWS_ISSUER = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`;
  const awsInput = { issuer: AWS_ISSUER, clientId: CLIENT_ID, nowSeconds: NOW_SECONDS };

  function awsSetup(overrides: Partial<AuthConfig> = {}) {
    const auth = localAuth({
      userPoolId: POOL,
      region: 'eu-west-1',
      issuer: AWS_ISSUER,
      jwksUri: `${AWS_ISSUER}/.well-known/jwks.json`,
      allowInsecureIssuer: false,
      isAwsPool: true,
      ...overrides,
    });
    const fetcher = memoryJwksFetcher(jwksOf(KEY));
    return { fetcher, verifier: createTokenVerifier(auth, { fetcher }) };
  }

  it('accepts a valid access token, fetching the pool JWKS through the injected fetcher', async () => {
    const { verifier, fetcher } = awsSetup();
    await expect(verifier.verify(signRs256(KEY, accessTokenClaims(awsInput)))).resolves.toMatchObject({
      issuer: AWS_ISSUER,
      tokenUse: 'access',
      clientId: CLIENT_ID,
    });
    expect(fetcher.calls).toEqual([`${AWS_ISSUER}/.well-known/jwks.json`]);
  });

  it('refuses a wrong issuer, including the pool\'s other issuer format', async () => {
    const { verifier, fetcher } = awsSetup();
    const otherPool = AWS_ISSUER.replace(POOL, 'eu-west-1_Other1');
    const globalFormat = `https://issuer-cognito-idp.eu-west-1.amazonaws.com/${POOL}`;
    await expectInvalid(verifier.verify(signRs256(KEY, accessTokenClaims({ ...awsInput, issuer: otherPool }))), 'issuer');
    await expectInvalid(verifier.verify(signRs256(KEY, accessTokenClaims({ ...awsInput, issuer: globalFormat }))), 'issuer');
    expect(fetcher.calls).toEqual([]);
  });

  it('refuses token_use refresh under any (tokenUse: null)', async () => {
    const { verifier } = awsSetup({ tokenUse: 'any' });
    await expectInvalid(verifier.verify(signRs256(KEY, accessTokenClaims(awsInput, { token_use: 'refresh' }))), 'token_use');
  });

  it('refuses a config whose issuer does not match the pool id', () => {
    expect(() => awsSetup({ issuer: AWS_ISSUER.replace('eu-west-1.', 'us-east-1.') })).toThrow(ConfigError);
  });
});
