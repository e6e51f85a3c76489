import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { grantRoleToUser } from '../../../src/access/index.js';
import { putAttributeDefinition } from '../../../src/attributes/index.js';
import { verifyAuditChains } from '../../../src/audit/index.js';
import { eraseUser, type ObjectDeleter } from '../../../src/erasure/index.js';
import { createCognitoEventsHandler, type CognitoApiCallEvent } from '../../../src/lambda/cognito-events-handler.js';
import { createPostConfirmationHandler } from '../../../src/lambda/post-confirmation-handler.js';
import { silentHandlerLogger } from '../../../src/lambda/logger.js';
import { patchProfile } from '../../../src/profiles/index.js';
import type { DirectoryUser, UserDirectory } from '../../../src/sync/directory.js';
import { ensureUser } from '../../../src/users/index.js';
import { buildTestApp, TEST_ISSUER, type TestApp } from '../../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

const recordedPostConfirmation: PostConfirmationTriggerEvent = JSON.parse(
  readFileSync(new URL('../../fixtures/cognito/post-confirmation-local.json', import.meta.url), 'utf8'),
);

/** Every row of every table in the schema, as text, that contains `needle`: generic, not a hand-picked column list. */
async function rowsContaining(db: TestDatabase['db'], needle: string): Promise<string[]> {
  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(db);
  const found: string[] = [];
  for (const { name } of tables.rows) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(name)} as r where r::text like ${`%${needle}%`}`.execute(db);
    if (rows[0]!.n > 0) found.push(`${name}: ${rows[0]!.n}`);
  }
  return found;
}

function cloudTrailEvent(eventName: string, sub: string, userPoolId: string): CognitoApiCallEvent {
  return {
    version: '0',
    id: 'e-1',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.cognito-idp',
    account: '123456789012',
    time: '2026-11-29T10:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: {
      eventSource: 'cognito-idp.amazonaws.com',
      eventName,
      eventID: `evt-${randomBytes(4).toString('hex')}`,
      requestParameters: { userPoolId },
      additionalEventData: { sub },
    },
  };
}

describe('erasure and Cognito events', () => {
  let t: TestDatabase;
  let api: TestApp;
  const deleted: string[] = [];
  const objects: ObjectDeleter = { deleteObject: async (key) => void deleted.push(key) };

  beforeAll(async () => {
    t = await createTestDatabase();
    api = await buildTestApp(t.db);
    const { userId } = await ensureUser(t.db, { issuer: 'urn:test', subject: 'definer', source: 'cli' });
    await putAttributeDefinition(t.db, 'nickname', { schema: { type: 'string' }, personalData: true, visibility: 'self' }, userId);
  });
  afterAll(async () => {
    await api?.close();
    await t?.drop();
  });

  async function personWithEverything(marker: string) {
    // The subject stays as the tombstone key (see eraseUser), so it must not carry the marker.
    const sub = `sub-${randomBytes(6).toString("hex")}`;
    const { userId } = await ensureUser(t.db, { issuer: TEST_ISSUER, subject: sub, email: `${marker}@example.com`, emailVerified: true, source: 'post_confirmation' });
    await patchProfile(
      t.db,
      { userId },
      {
        profile: { givenName: `Given${marker}`, familyName: `Family${marker}`, bio: `Bio ${marker}`, dateOfBirth: '1987-03-17', mobilePhone: '+447700900999', location: { city: `City${marker}`, country: 'GB' } },
        jobSeeker: { desiredTitles: [`Title${marker}`], skills: [{ name: `Skill${marker}` }], experience: [{ title: `Job${marker}`, company: `Co${marker}`, startDate: '2020-01' }] },
        attributes: { nickname: `Nick${marker}` },
      },
      null,
      { actor: { type: 'user', id: userId }, audience: 'self', requestId: null },
    );
    await patchProfile(t.db, { userId }, { profile: { headline: `Headline${marker}` } }, null, { actor: { type: 'user', id: userId }, audience: 'self', requestId: null });
    await grantRoleToUser(t.db, userId, 'support', { type: 'system', id: 'cli' }, { source: 'cli' });
    await sql`insert into media (user_id, kind, status, content_type, size_bytes, file_name, object_key, upload_expires_at, completed_at)
              values (${userId}, 'document', 'ready', 'application/pdf', 10, ${`cv-${marker}.pdf`}, ${`media/${randomBytes(16).toString('hex')}/${crypto.randomUUID()}`}, now(), now())`.execute(t.db);
    return { userId, sub };
  }

  it('leaves no personal value in any table, keeps a verifiable trail, and deletes the objects', async () => {
    const marker = `zq${randomBytes(5).toString('hex')}`;
    const { userId } = await personWithEverything(marker);
    expect((await rowsContaining(t.db, marker)).length).toBeGreaterThan(5);

    const result = await eraseUser(t.db, userId, { objects, identityProvider: null }, { actor: { type: 'user', id: userId }, source: 'api' });
    expect(result).toEqual({ alreadyErased: false, pendingObjects: 0, identityProviderDeleted: false });
    expect(await rowsContaining(t.db, marker)).toEqual([]);
    expect(await rowsContaining(t.db, '1987-03-17')).toEqual([]);
    expect(await rowsContaining(t.db, '+447700900999')).toEqual([]);
    expect(deleted).toHaveLength(1);

    expect((await verifyAuditChains(t.db, { userId })).problems).toEqual([]);
    const user = await t.db.selectFrom('users').select(['status']).where('id', '=', userId).executeTakeFirstOrThrow();
    expect(user.status).toBe('erased');
    const actions = await t.db.selectFrom('audit_events').select('action').where('user_id', '=', userId).orderBy('seq').execute();
    expect(actions.map((a) => a.action).slice(-2)).toEqual(['audit.values_redacted', 'user.erased']);
    expect(await eraseUser(t.db, userId, { objects, identityProvider: null }, { actor: { type: 'system', id: 'x' }, source: 'api' })).toMatchObject({ alreadyErased: true });
  });

  it('an object that cannot be deleted stays queued and is retried, never dropped', async () => {
    const marker = `zq${randomBytes(5).toString('hex')}`;
    const { userId } = await personWithEverything(marker);
    const failing: ObjectDeleter = { deleteObject: async () => Promise.reject(Object.assign(new Error('S3 down'), { name: 'ServiceUnavailable' })) };
    const result = await eraseUser(t.db, userId, { objects: failing, identityProvider: null }, { actor: { type: 'system', id: 'test' }, source: 'api' });
    expect(result.pendingObjects).toBe(1);
    const queued = await t.db.selectFrom('erasure_object_deletions').selectAll().where('user_id', '=', userId).execute();
    expect(queued).toEqual([expect.objectContaining({ attempts: 1, last_error: 'ServiceUnavailable' })]);
    const { deleteQueuedObjects } = await import('../../../src/erasure/index.js');
    expect(await deleteQueuedObjects(t.db, objects, { userId })).toBe(0);
    expect(await t.db.selectFrom('erasure_object_deletions').selectAll().where('user_id', '=', userId).execute()).toEqual([]);
  });

  it('out of order: a delete event, then a replayed Post Confirmation and a JIT request → the user stays erased', async () => {
    const marker = `zq${randomBytes(5).toString('hex')}`;
    const { userId, sub } = await personWithEverything(marker);
    const directory: UserDirectory = { listUsers: async () => ({ users: [], nextToken: null }), findBySub: async () => null, deleteUser: async () => {} };
    const events = createCognitoEventsHandler({
      db: t.db,
      issuer: TEST_ISSUER,
      userPoolId: 'eu-west-1_Test',
      directory,
      logger: silentHandlerLogger,
      erase: async (id, context) => void (await eraseUser(t.db, id, { objects, identityProvider: null }, { actor: { type: 'system', id: 'cognito-events' }, ...context })),
    });
    expect(await events(cloudTrailEvent('AdminDeleteUser', sub, 'eu-west-1_Test'))).toEqual({ outcome: 'erased' });
    expect(await events(cloudTrailEvent('AdminDeleteUser', sub, 'eu-west-1_Test'))).toEqual({ outcome: 'erased' });

    const replay = structuredClone(recordedPostConfirmation);
    replay.userPoolId = 'eu-west-1_Test';
    replay.request.userAttributes.sub = sub;
    const postConfirmation = createPostConfirmationHandler({ db: t.db, issuer: TEST_ISSUER, userPoolId: 'eu-west-1_Test', logger: silentHandlerLogger });
    await postConfirmation(replay);
    const jit = await api.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${api.tokenFor(sub)}` } });
    expect(jit.statusCode).toBe(404);
    expect(await events(cloudTrailEvent('AdminEnableUser', sub, 'eu-west-1_Test'))).toEqual({ outcome: 'unchanged' });

    const identities = await t.db.selectFrom('identities').select(['user_id', 'email']).where('subject', '=', sub).execute();
    expect(identities).toEqual([{ user_id: userId, email: null }]);
    expect((await t.db.selectFrom('users').select('status').where('id', '=', userId).executeTakeFirstOrThrow()).status).toBe('erased');
    expect(await rowsContaining(t.db, marker)).toEqual([]);
  });

  it('attribute updates re-read the user from Cognito; disable and enable mirror the pool', async () => {
    const sub = `sub-upd-${randomBytes(4).toString('hex')}`;
    const { userId } = await ensureUser(t.db, { issuer: TEST_ISSUER, subject: sub, email: 'before@example.com', emailVerified: true, source: 'post_confirmation' });
    const current: DirectoryUser = { username: 'x', sub, email: 'after@example.com', emailVerified: false, enabled: true, status: 'CONFIRMED' };
    const directory: UserDirectory = { listUsers: async () => ({ users: [current], nextToken: null }), findBySub: async () => current, deleteUser: async () => {} };
    const events = createCognitoEventsHandler({ db: t.db, issuer: TEST_ISSUER, userPoolId: 'eu-west-1_Test', directory, logger: silentHandlerLogger, erase: async () => {} });

    expect(await events(cloudTrailEvent('AdminUpdateUserAttributes', sub, 'eu-west-1_Test'))).toEqual({ outcome: 'refreshed' });
    expect(await events(cloudTrailEvent('UpdateUserAttributes', sub, 'eu-west-1_Test'))).toEqual({ outcome: 'unchanged' });
    const identity = await t.db.selectFrom('identities').select(['email', 'email_verified']).where('subject', '=', sub).executeTakeFirstOrThrow();
    expect(identity).toEqual({ email: 'after@example.com', email_verified: false });

    expect(await events(cloudTrailEvent('AdminDisableUser', sub, 'eu-west-1_Test'))).toEqual({ outcome: 'disabled' });
    expect((await t.db.selectFrom('users').select('status').where('id', '=', userId).executeTakeFirstOrThrow()).status).toBe('disabled');
    expect(await events(cloudTrailEvent('AdminEnableUser', sub, 'eu-west-1_Test'))).toEqual({ outcome: 'enabled' });
    expect(await events(cloudTrailEvent('AdminDeleteUser', sub, 'eu-west-1_Other'))).toEqual({ outcome: 'ignored' });
    expect(await events(cloudTrailEvent('AdminDeleteUser', 'sub-nobody', 'eu-west-1_Test'))).toEqual({ outcome: 'unknown_user' });
    expect((await verifyAuditChains(t.db, { userId })).problems).toEqual([]);
  });
});
