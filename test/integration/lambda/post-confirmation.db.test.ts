import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { createDb } from '../../../src/db/index.js';
import { createPostConfirmationHandler } from '../../../src/lambda/post-confirmation-handler.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

/** A real event recorded from cognito-local (personal values replaced). */
const recorded: PostConfirmationTriggerEvent = JSON.parse(
  readFileSync(new URL('../../fixtures/cognito/post-confirmation-local.json', import.meta.url), 'utf8'),
);
const ISSUER = `http://127.0.0.1:9229/${recorded.userPoolId}`;
/** The same trigger as AWS Cognito sends it (version "1", a real region and pool id; personal values replaced). */
const awsEvent: PostConfirmationTriggerEvent = JSON.parse(
  readFileSync(new URL('../../fixtures/cognito/post-confirmation-aws.json', import.meta.url), 'utf8'),
);
const AWS_ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE1';

function awsEventFor(sub: string, overrides: Partial<PostConfirmationTriggerEvent> = {}): PostConfirmationTriggerEvent {
  const event = structuredClone(awsEvent);
  event.request.userAttributes.sub = sub;
  event.userName = sub;
  return { ...event, ...overrides };
}

function eventFor(sub: string, overrides: Partial<PostConfirmationTriggerEvent> = {}): PostConfirmationTriggerEvent {
  const event = structuredClone(recorded);
  event.request.userAttributes.sub = sub;
  event.userName = sub;
  return { ...event, ...overrides };
}

function logger() {
  return { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
}

describe('Post Confirmation handler', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.drop();
  });

  const identity = (sub: string, issuer = ISSUER) =>
    t.db.selectFrom('identities').selectAll().where('issuer', '=', issuer).where('subject', '=', sub).execute();
  const identitiesOf = (sub: string) => t.db.selectFrom('identities').select('issuer').where('subject', '=', sub).execute();

  it('provisions from the Cognito sub and returns the event unchanged', async () => {
    const log = logger();
    const handler = createPostConfirmationHandler({ db: t.db, issuer: ISSUER, userPoolId: recorded.userPoolId, logger: log });
    const event = eventFor('sub-pc-1');
    const before = structuredClone(event);
    const result = await handler(event);
    expect(result).toEqual(before);
    const rows = await identity('sub-pc-1');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ email: 'alice@example.com', email_verified: true });
    const events = await t.db.selectFrom('audit_events').selectAll().where('user_id', '=', rows[0]!.user_id).execute();
    expect(events.map((e) => e.source)).toEqual(['post_confirmation']);
    // Nothing personal in the logs.
    expect(JSON.stringify(log.info.mock.calls)).not.toMatch(/alice|example\.com|sub-pc-1/);
  });

  it('is safe under retries and concurrent duplicates, for both trigger sources', async () => {
    const handler = createPostConfirmationHandler({ db: t.db, issuer: ISSUER, userPoolId: recorded.userPoolId, logger: logger() });
    await Promise.all([
      ...Array.from({ length: 10 }, () => handler(eventFor('sub-pc-2'))),
      ...Array.from({ length: 10 }, () => handler(eventFor('sub-pc-2', { triggerSource: 'PostConfirmation_ConfirmForgotPassword' }))),
    ]);
    const rows = await identity('sub-pc-2');
    expect(rows).toHaveLength(1);
    const events = await t.db.selectFrom('audit_events').select('id').where('user_id', '=', rows[0]!.user_id).execute();
    expect(events).toHaveLength(1);
  });

  it('a password-reset confirmation heals a user whose row is missing', async () => {
    const handler = createPostConfirmationHandler({ db: t.db, issuer: ISSUER, userPoolId: recorded.userPoolId, logger: logger() });
    await handler(eventFor('sub-pc-3', { triggerSource: 'PostConfirmation_ConfirmForgotPassword' }));
    expect(await identity('sub-pc-3')).toHaveLength(1);
  });

  it('does not provision for another pool, another trigger or an event without sub', async () => {
    const log = logger();
    const handler = createPostConfirmationHandler({ db: t.db, issuer: ISSUER, userPoolId: recorded.userPoolId, logger: log });
    await handler(eventFor('sub-pc-4', { userPoolId: 'local_Other' }));
    await handler(eventFor('sub-pc-4', { triggerSource: 'PreSignUp_SignUp' as never }));
    const noSub = eventFor('sub-pc-4');
    delete (noSub.request.userAttributes as Record<string, string>).sub;
    await expect(handler(noSub)).resolves.toBe(noSub);
    expect(await identity('sub-pc-4')).toHaveLength(0);
    expect(log.error).toHaveBeenCalledTimes(2);
    expect(log.warn).toHaveBeenCalledTimes(1);
  });

  it('with the database refusing connections: logs, returns the event, does not throw', async () => {
    const down = createDb('postgres://postgres@127.0.0.1:1/nothing', { connectionTimeoutMillis: 500 });
    const log = logger();
    const handler = createPostConfirmationHandler({ db: down, issuer: ISSUER, userPoolId: recorded.userPoolId, logger: log });
    const event = eventFor('sub-pc-5');
    await expect(handler(event)).resolves.toBe(event);
    expect(log.error).toHaveBeenCalledOnce();
    expect(JSON.stringify(log.error.mock.calls)).not.toMatch(/alice|sub-pc-5/);
    await down.destroy();
  });

  it('with a database that hangs: gives up at its own deadline (inside Cognito\'s 5 s) and returns the event', async () => {
    // A server that accepts connections and never answers.
    const sockets: import('node:net').Socket[] = [];
    const hang = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => hang.listen(0, '127.0.0.1', resolve));
    const port = (hang.address() as AddressInfo).port;
    const db = createDb(`postgres://postgres@127.0.0.1:${port}/x`, { connectionTimeoutMillis: 30_000 });
    const log = logger();
    const handler = createPostConfirmationHandler({ db, issuer: ISSUER, userPoolId: recorded.userPoolId, logger: log, timeoutMs: 300 });
    const event = eventFor('sub-pc-7');
    try {
      await expect(handler(event)).resolves.toBe(event);
      expect(log.error).toHaveBeenCalledOnce();
      expect(log.error.mock.calls[0]![1]).toMatchObject({ error: { code: 'ETIMEDOUT' } });
    } finally {
      for (const s of sockets) s.destroy();
      hang.close();
      await db.destroy().catch(() => {});
    }
  });

  it('the Lambda module wires the handler from the environment', async () => {
    vi.stubEnv('DATABASE_URL', t.url);
    vi.stubEnv('COGNITO_USER_POOL_ID', recorded.userPoolId);
    vi.stubEnv('AUTH_ISSUER', ISSUER);
    vi.stubEnv('AUTH_ALLOW_INSECURE_ISSUER', 'true');
    vi.stubEnv('LOG_LEVEL', 'silent');
    try {
      const { handler } = await import('../../../src/lambda/post-confirmation.js');
      const event = eventFor('sub-pc-6');
      await expect(handler(event)).resolves.toEqual(event);
      expect(await identity('sub-pc-6')).toHaveLength(1);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('with issuerFromEvent (ADR 0003): keys the user on the invoking pool\'s issuer, the one the API derives for that pool', async () => {
    const log = logger();
    const handler = createPostConfirmationHandler({ db: t.db, issuerFromEvent: true, logger: log });
    const event = awsEventFor('sub-pc-8');
    await expect(handler(event)).resolves.toEqual(awsEventFor('sub-pc-8'));
    expect(await identitiesOf('sub-pc-8')).toEqual([{ issuer: AWS_ISSUER }]);
    // An event whose pool id and region disagree, or from a non-AWS pool: nothing done.
    await handler(awsEventFor('sub-pc-9', { region: 'us-east-1' }));
    await handler(eventFor('sub-pc-9'));
    expect(await identitiesOf('sub-pc-9')).toEqual([]);
    expect(log.error).toHaveBeenCalledTimes(2);
  });

  it('the Lambda module with TRIGGER_ISSUER_FROM_EVENT=true and no pool configured (as the CDK app deploys it)', async () => {
    vi.resetModules();
    vi.stubEnv('DATABASE_URL', t.url);
    vi.stubEnv('TRIGGER_ISSUER_FROM_EVENT', 'true');
    vi.stubEnv('COGNITO_USER_POOL_ID', '');
    vi.stubEnv('AUTH_ISSUER', '');
    vi.stubEnv('LOG_LEVEL', 'silent');
    try {
      const { handler } = await import('../../../src/lambda/post-confirmation.js');
      await handler(awsEventFor('sub-pc-10'));
      expect(await identity('sub-pc-10', AWS_ISSUER)).toHaveLength(1);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('the Lambda module refuses to load with neither a pool nor TRIGGER_ISSUER_FROM_EVENT=true', async () => {
    vi.resetModules();
    vi.stubEnv('DATABASE_URL', t.url);
    vi.stubEnv('COGNITO_USER_POOL_ID', '');
    vi.stubEnv('TRIGGER_ISSUER_FROM_EVENT', '');
    try {
      await expect(import('../../../src/lambda/post-confirmation.js')).rejects.toMatchObject({ code: 'ERR_CONFIG', problems: ['COGNITO_USER_POOL_ID is required'] });
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
