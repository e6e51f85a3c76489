import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CognitoLocal, startCognitoLocal } from '../../../src/dev/cognito-local.js';
import { createDevUser, type DevUser } from '../../../src/dev/dev-user.js';
import { type LambdaInvokeServer, startLambdaInvokeServer } from '../../../src/dev/lambda-invoke-server.js';
import { ensureLocalPool, type LocalPool } from '../../../src/dev/local-pool.js';
import { isAlive } from './process-helpers.js';

const HOST = '127.0.0.1';
const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../fixtures/cognito');
const EVENT_FIXTURE = join(FIXTURES, 'post-confirmation-local.json');
const ID_TOKEN_FIXTURE = join(FIXTURES, 'id-token-payload-local.json');
/** `RECORD_FIXTURES=1` rewrites the fixtures from this run; otherwise they are checked against it. */
const RECORD = process.env.RECORD_FIXTURES === '1';

type Json = Record<string, unknown>;

function decodePayload(token: string): Json {
  const part = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Json;
}

/** Nested key paths with value types, so a fixture can be compared with a live payload. */
function shape(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return [`${prefix}: ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}`];
  }
  return Object.entries(value as Json).flatMap(([k, v]) => shape(v, prefix ? `${prefix}.${k}` : k)).sort();
}

describe('local identity stack: invoke server + cognito-local + pool + dev user', () => {
  let dir: string;
  let lambdas: LambdaInvokeServer;
  let cognito: CognitoLocal | undefined;
  let pool: LocalPool;
  const events: Json[] = [];
  /** E-mail addresses whose Post Confirmation handler throws. */
  const failFor = new Set<string>();

  const stateFile = () => join(dir, 'state', 'cognito.json');
  const start = (port = 0) =>
    startCognitoLocal({
      dir,
      host: HOST,
      port,
      lambdaEndpoint: lambdas.url,
      triggers: { PostConfirmation: 'post-confirmation' },
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'profile-service-dev-'));
    lambdas = await startLambdaInvokeServer({
      host: HOST,
      port: 0,
      functions: {
        'post-confirmation': async (event: Json) => {
          events.push(structuredClone(event));
          const attributes = (event.request as { userAttributes: Record<string, string> }).userAttributes;
          if (failFor.has(attributes.email ?? '')) throw new Error('handler failed on purpose');
          return event;
        },
      },
    });
    cognito = await start();
    pool = await ensureLocalPool({ cognitoUrl: cognito.url, stateFile: stateFile() });
  }, 60_000);

  afterAll(async () => {
    await cognito?.stop();
    await lambdas?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 30_000);

  it('starts cognito-local on a free port with the config it was given', async () => {
    const running = cognito as CognitoLocal;
    expect(running.url).toBe(`http://${HOST}:${running.port}`);
    expect(running.port).toBeGreaterThan(0);
    const config = JSON.parse(await readFile(join(dir, '.cognito', 'config.json'), 'utf8')) as Json;
    expect(config).toEqual({
      LambdaClient: {
        endpoint: lambdas.url,
        region: 'local',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      },
      TriggerFunctions: { PostConfirmation: 'post-confirmation' },
      TokenConfig: { IssuerDomain: running.url },
    });
    expect(running.output().some((line) => line.includes(`Cognito Local running on ${running.url}`))).toBe(true);
  });

  it('creates the pool once and reuses it on the next run', async () => {
    expect(pool.created).toBe(true);
    expect(pool.userPoolId).toMatch(/^local_[0-9A-Za-z]{8}$/);
    expect(pool.issuer).toBe(`${(cognito as CognitoLocal).url}/${pool.userPoolId}`);
    expect(JSON.parse(await readFile(stateFile(), 'utf8'))).toEqual({
      userPoolId: pool.userPoolId,
      clientId: pool.clientId,
    });

    const again = await ensureLocalPool({ cognitoUrl: (cognito as CognitoLocal).url, stateFile: stateFile() });
    expect(again).toEqual({ ...pool, created: false });
  });

  it('replaces a remembered pool that no longer exists', async () => {
    const stale = join(dir, 'state', 'stale.json');
    await writeFile(stale, JSON.stringify({ userPoolId: 'local_GONE0000', clientId: 'nosuchclient' }));
    const fresh = await ensureLocalPool({ cognitoUrl: (cognito as CognitoLocal).url, stateFile: stale });
    expect(fresh.created).toBe(true);
    expect(fresh.userPoolId).not.toBe('local_GONE0000');
    expect(JSON.parse(await readFile(stale, 'utf8'))).toMatchObject({ userPoolId: fresh.userPoolId });
  });

  it('rejects a state file it cannot read with ERR_LOCAL_POOL', async () => {
    const broken = join(dir, 'state', 'broken.json');
    await writeFile(broken, '{"userPoolId": 42');
    await expect(ensureLocalPool({ cognitoUrl: (cognito as CognitoLocal).url, stateFile: broken })).rejects.toMatchObject({
      code: 'ERR_LOCAL_POOL',
    });
  });

  let alice: DevUser;

  it('creates a dev user, firing Post Confirmation with PostConfirmation_ConfirmSignUp', async () => {
    const email = 'alice.dev@example.com';
    alice = await createDevUser({
      cognitoUrl: (cognito as CognitoLocal).url,
      userPoolId: pool.userPoolId,
      clientId: pool.clientId,
      email,
    });
    expect(alice.created).toBe(true);
    expect(alice.email).toBe(email);
    expect(alice.password.length).toBeGreaterThanOrEqual(12);

    expect(events).toHaveLength(1);
    const event = events[0] as Json;
    expect(event).toMatchObject({
      version: '0',
      region: 'local',
      triggerSource: 'PostConfirmation_ConfirmSignUp',
      userPoolId: pool.userPoolId,
      userName: alice.sub,
      callerContext: { clientId: null },
      request: {
        userAttributes: {
          sub: alice.sub,
          email,
          email_verified: 'true',
          'cognito:user_status': 'CONFIRMED',
        },
      },
      response: {},
    });
  });

  it('returns real cognito-local tokens for the user', () => {
    const id = decodePayload(alice.idToken);
    expect(id).toMatchObject({
      iss: pool.issuer,
      aud: pool.clientId,
      token_use: 'id',
      sub: alice.sub,
      email: alice.email,
      email_verified: true,
      'cognito:username': alice.sub,
    });
    expect((id.exp as number) - (id.iat as number)).toBe(3600);

    const access = decodePayload(alice.accessToken);
    expect(access).toMatchObject({ iss: pool.issuer, client_id: pool.clientId, token_use: 'access', sub: alice.sub });
    expect(access).not.toHaveProperty('aud');
    expect(alice.expiresIn).toBe(3600);
    expect(alice.refreshToken.split('.')).toHaveLength(3);

    const header = JSON.parse(Buffer.from(alice.idToken.split('.')[0] ?? '', 'base64url').toString('utf8')) as Json;
    expect(header).toMatchObject({ alg: 'RS256', kid: 'CognitoLocal' });
  });

  it('matches the recorded fixtures (RECORD_FIXTURES=1 rewrites them)', async () => {
    const fakeSub = '00000000-0000-4000-8000-000000000001';
    const fakePool = 'local_FAKEPOOL';
    const fakeClient = 'fakeclientid0000000000000';
    const fakeIssuer = `http://127.0.0.1:9229/${fakePool}`;
    const scrub = (value: unknown): unknown =>
      JSON.parse(
        JSON.stringify(value)
          .replaceAll(alice.sub, fakeSub)
          .replaceAll(alice.email, 'alice@example.com')
          .replaceAll(pool.issuer, fakeIssuer)
          .replaceAll(pool.userPoolId, fakePool)
          .replaceAll(pool.clientId, fakeClient),
      );
    const liveEvent = scrub(events[0]);
    const liveIdPayload = scrub(decodePayload(alice.idToken));

    if (RECORD) {
      await mkdir(FIXTURES, { recursive: true });
      await writeFile(EVENT_FIXTURE, `${JSON.stringify(liveEvent, null, 2)}\n`);
      await writeFile(ID_TOKEN_FIXTURE, `${JSON.stringify(liveIdPayload, null, 2)}\n`);
    }
    const eventFixture = JSON.parse(await readFile(EVENT_FIXTURE, 'utf8')) as Json;
    const idFixture = JSON.parse(await readFile(ID_TOKEN_FIXTURE, 'utf8')) as Json;
    expect(shape(eventFixture)).toEqual(shape(liveEvent));
    expect(shape(idFixture)).toEqual(shape(liveIdPayload));
    // No live personal value or random id may leak into a fixture.
    const text = JSON.stringify([eventFixture, idFixture]);
    for (const live of [alice.sub, alice.email, pool.userPoolId, pool.clientId]) expect(text).not.toContain(live);
  });

  it('only logs an existing user in, given the password', async () => {
    const base = { cognitoUrl: (cognito as CognitoLocal).url, userPoolId: pool.userPoolId, clientId: pool.clientId };
    const again = await createDevUser({ ...base, email: alice.email, password: alice.password });
    expect(again.created).toBe(false);
    expect(again.sub).toBe(alice.sub);
    expect(events).toHaveLength(1);

    await expect(createDevUser({ ...base, email: alice.email })).rejects.toMatchObject({ code: 'ERR_DEV_USER_EXISTS' });
    const wrong = await createDevUser({ ...base, email: alice.email, password: 'Wrong-password-42' }).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: 'ERR_DEV_USER_LOGIN' });
    expect(String((wrong as Error).message)).not.toContain('Wrong-password-42');
    await expect(createDevUser({ ...base, email: 'weak@example.com', password: 'short' })).rejects.toMatchObject({
      code: 'ERR_DEV_USER_WEAK_PASSWORD',
    });
  });

  it('confirms the user even when the trigger fails (cognito-local swallows trigger errors)', async () => {
    const email = 'trigger.fails@example.com';
    failFor.add(email);
    const user = await createDevUser({
      cognitoUrl: (cognito as CognitoLocal).url,
      userPoolId: pool.userPoolId,
      clientId: pool.clientId,
      email,
    });
    expect(user.created).toBe(true);
    expect(events.at(-1)).toMatchObject({ request: { userAttributes: { email } } });
  });

  it('keeps the confirmation code in its captured output and log file, not on the console', async () => {
    const running = cognito as CognitoLocal;
    expect(running.output().some((line) => line.includes('Confirmation Code Delivery'))).toBe(true);
    expect(await readFile(running.logFile, 'utf8')).toContain('Confirmation Code Delivery');
  });

  it('refuses to start on a port that is already taken', async () => {
    const port = (cognito as CognitoLocal).port;
    await expect(start(port)).rejects.toMatchObject({ code: 'ERR_COGNITO_LOCAL_START' });
  });

  it('keeps pools and users across a restart in the same directory', async () => {
    const before = cognito as CognitoLocal;
    await before.stop();
    await before.stop(); // idempotent
    expect(await before.exited).toMatchObject({ signal: 'SIGTERM' });
    expect(isAlive(before.pid)).toBe(false);

    cognito = await start(before.port);
    const reused = await ensureLocalPool({ cognitoUrl: cognito.url, stateFile: stateFile() });
    expect(reused).toEqual({ ...pool, created: false });
    const again = await createDevUser({
      cognitoUrl: cognito.url,
      userPoolId: reused.userPoolId,
      clientId: reused.clientId,
      email: alice.email,
      password: alice.password,
    });
    expect(again).toMatchObject({ sub: alice.sub, created: false });
    expect(decodePayload(again.idToken).iss).toBe(reused.issuer);
  });
});
