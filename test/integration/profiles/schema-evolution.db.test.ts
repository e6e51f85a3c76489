import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { verifyAuditChains } from '../../../src/audit/index.js';
import { createDb, createMigrator, migrateToLatest, type Db } from '../../../src/db/index.js';
import { buildTestApp, TEST_ISSUER, type TestApp } from '../../helpers/app.js';
import { adminQuery, withDatabase } from '../../helpers/template.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

/**
 * A database populated under the first schema (0001) is migrated to the
 * latest: nothing is lost, the new sections get their defaults, and the API
 * serves and changes the old users.
 */
describe('schema evolution: 0001 → latest', () => {
  let t: TestDatabase;
  let db: Db;
  let url: string;
  let api: TestApp;
  const userId = '01900000-0000-7000-8000-000000000001';

  beforeAll(async () => {
    t = await createTestDatabase();
    url = withDatabase(t.url, `evolve_${randomBytes(6).toString('hex')}`);
    await adminQuery(withDatabase(t.url, 'postgres'), `create database ${new URL(url).pathname.slice(1)}`);
    db = createDb(url);
    const step = await createMigrator(db).migrateTo('0001-initial');
    expect(step.error).toBeUndefined();

    // Written exactly as the 0001 code wrote it.
    await sql`insert into users (id, version, created_at, updated_at) values (${userId}, 2, '2026-01-02T10:00:00Z', '2026-01-03T10:00:00Z')`.execute(db);
    await sql`insert into identities (user_id, issuer, subject, email, email_verified) values (${userId}, ${TEST_ISSUER}, 'old-sub', 'old@example.com', true)`.execute(db);
    await sql`insert into profiles (user_id, given_name, family_name, date_of_birth, location_city, location_country, social_links)
              values (${userId}, 'Grace', 'Hopper', '1906-12-09'::date + interval '100 years', 'Arlington', 'US', '{"github": "https://github.com/grace"}')`.execute(db);
    await sql`insert into audit_events (user_id, actor_type, actor_id, source, action, version, changes)
              values (${userId}, 'system', 'post_confirmation', 'post_confirmation', 'user.provisioned', 1, '[]'),
                     (${userId}, 'user', ${userId}, 'api', 'profile.updated', 2, '[{"path": "/profile/givenName", "from": null, "to": "Grace"}]')`.execute(db);

    await migrateToLatest(db);
    api = await buildTestApp(db);
  });
  afterAll(async () => {
    await api?.close();
    await db?.destroy();
    await adminQuery(withDatabase(t.url, 'postgres'), `drop database if exists ${new URL(url).pathname.slice(1)} with (force)`);
    await t?.drop();
  });

  const headers = () => ({ authorization: `Bearer ${api.tokenFor('old-sub', { email: 'old@example.com' })}` });

  it('keeps every old value and gives the new sections their defaults', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/v1/me', headers: headers() });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc).toMatchObject({
      id: userId,
      version: 2,
      createdAt: '2026-01-02T10:00:00.000Z',
      identity: { subject: 'old-sub', email: 'old@example.com', emailVerified: true },
      profile: { givenName: 'Grace', familyName: 'Hopper', dateOfBirth: '2006-12-09', location: { city: 'Arlington', country: 'US' }, socialLinks: { github: 'https://github.com/grace', linkedin: null } },
      preferences: { theme: 'system', jobAlertFrequency: 'weekly' },
      jobSeeker: { openToWork: false, skills: [] },
      attributes: {},
      roles: ['job_seeker'],
    });
  });

  it('keeps the old history, now hash-chained, and carries on from the old version', async () => {
    expect((await verifyAuditChains(db)).problems).toEqual([]);
    const history = (await api.app.inject({ method: 'GET', url: '/v1/me/history', headers: headers() })).json();
    expect(history.items.map((i: { version: number; action: string }) => [i.version, i.action])).toEqual([
      [2, 'profile.updated'],
      [1, 'user.provisioned'],
    ]);
    expect(history.items[0].changes).toEqual([expect.objectContaining({ path: '/profile/givenName', from: null, to: 'Grace' })]);

    const res = await api.app.inject({
      method: 'PATCH',
      url: '/v1/me',
      headers: { ...headers(), 'content-type': 'application/json', 'if-match': '"2"' },
      payload: JSON.stringify({ jobSeeker: { openToWork: true, skills: [{ name: 'COBOL', level: 'expert' }] } }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ version: 3, profile: { givenName: 'Grace' }, jobSeeker: { openToWork: true } });
    expect((await verifyAuditChains(db)).problems).toEqual([]);
  });
});
