import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantRole, grantRoleToUser } from '../../../src/access/index.js';
import { putAttributeDefinition } from '../../../src/attributes/index.js';
import { patchProfile } from '../../../src/profiles/index.js';
import { ensureUser } from '../../../src/users/index.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

const FULL_PATCH = {
  profile: {
    givenName: 'Ada',
    familyName: 'Lovelace',
    displayName: 'Ada L.',
    dateOfBirth: '1990-12-10',
    mobilePhone: '+447700900123',
    locale: 'en-GB',
    timeZone: 'Europe/London',
    headline: 'Analyst',
    bio: 'Notes on the engine',
    location: { city: 'London', region: 'Greater London', country: 'GB' },
    socialLinks: { linkedin: 'https://www.linkedin.com/in/ada', github: 'https://github.com/ada', website: 'https://ada.example.com/' },
  },
  preferences: { language: 'en', theme: 'dark', notifications: { sms: { jobAlerts: true } }, jobAlertFrequency: 'daily' },
  jobSeeker: {
    openToWork: true,
    desiredTitles: ['Data Engineer'],
    desiredLocations: ['London'],
    workModes: ['remote', 'hybrid'],
    employmentTypes: ['full_time'],
    salaryExpectation: { min: 60000, max: 80000, currency: 'GBP', period: 'year' },
    yearsOfExperience: 5,
    noticePeriodDays: 30,
    skills: [{ name: 'TypeScript', level: 'expert', years: 6 }],
    experience: [{ title: 'Analyst', company: 'Engines Ltd', startDate: '2020-01', endDate: null, description: 'Bernoulli numbers' }],
    education: [{ institution: 'Home', degree: 'BSc', field: 'Mathematics', startYear: 2008, endYear: 2011 }],
    workAuthorization: [{ country: 'GB', status: 'citizen' }],
  },
  attributes: { shoeSize: 38, internalNote: 'vip' },
};

describe('history, export and versions', () => {
  let t: TestDatabase;
  let api: TestApp;
  beforeAll(async () => {
    t = await createTestDatabase();
    api = await buildTestApp(t.db);
    const { userId } = await ensureUser(t.db, { issuer: 'urn:test', subject: 'schema-admin', source: 'cli' });
    await putAttributeDefinition(t.db, 'shoeSize', { schema: { type: 'integer', minimum: 1, maximum: 60 }, personalData: false, visibility: 'self' }, userId);
    await putAttributeDefinition(t.db, 'internalNote', { schema: { type: 'string', maxLength: 100 }, personalData: true, visibility: 'admins' }, userId);
  });
  afterAll(async () => {
    await api?.close();
    await t?.drop();
  });

  const as = (sub: string) => ({ authorization: `Bearer ${api.tokenFor(sub)}` });
  const newUser = async () => {
    const sub = `u-${randomUUID()}`;
    const doc = (await api.app.inject({ method: 'GET', url: '/v1/me', headers: as(sub) })).json();
    return { sub, doc };
  };
  const patch = (sub: string, body: unknown) =>
    api.app.inject({ method: 'PATCH', url: '/v1/me', headers: { ...as(sub), 'content-type': 'application/json' }, payload: JSON.stringify(body) });

  it('the whole document round-trips; an admin-only attribute cannot be written by the user', async () => {
    const { sub } = await newUser();
    const refused = await patch(sub, FULL_PATCH);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual(['/attributes/internalNote']);

    const { attributes: _drop, ...rest } = FULL_PATCH;
    const res = await patch(sub, { ...rest, attributes: { shoeSize: 38 } });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    // No media linked: the document shows the links as null (issue 4).
    expect(doc.profile).toEqual({ ...FULL_PATCH.profile, photo: null });
    expect(doc.jobSeeker).toEqual({ ...FULL_PATCH.jobSeeker, resume: null });
    expect(doc.attributes).toEqual({ shoeSize: 38 });
    expect(doc.preferences.notifications.sms).toEqual({ jobAlerts: true, applicationUpdates: false, messages: false, marketing: false });
    expect(doc.roles).toEqual(['job_seeker']);
    expect(doc.permissions).toEqual([]);
  });

  it('export contains everything a PATCH wrote, every identity and the history', async () => {
    const { sub, doc } = await newUser();
    const { attributes: _drop, ...rest } = FULL_PATCH;
    expect((await patch(sub, { ...rest, attributes: { shoeSize: 41 } })).statusCode).toBe(200);
    const res = await api.app.inject({ method: 'GET', url: '/v1/me/export', headers: as(sub) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const exported = res.json();
    expect(exported.document).toMatchObject({ id: doc.id, version: 2, profile: FULL_PATCH.profile, jobSeeker: FULL_PATCH.jobSeeker, attributes: { shoeSize: 41 } });
    expect(exported.identities).toEqual([expect.objectContaining({ subject: sub, email: `${sub}@example.com` })]);
    expect(exported.history.map((h: { action: string }) => h.action)).toEqual(['profile.updated', 'user.provisioned']);
    const written = exported.history[0].changes.map((c: { path: string }) => c.path);
    expect(written).toEqual(expect.arrayContaining(['/profile/givenName', '/jobSeeker/skills', '/attributes/shoeSize', '/preferences/theme']));
  });

  it('history is newest first, paginates without repeats or gaps, and names the actor', async () => {
    const { sub, doc } = await newUser();
    for (let i = 1; i <= 7; i++) expect((await patch(sub, { profile: { headline: `h${i}` } })).statusCode).toBe(200);
    const versions: number[] = [];
    let url = '/v1/me/history?limit=3';
    for (;;) {
      const page = (await api.app.inject({ method: 'GET', url, headers: as(sub) })).json();
      versions.push(...page.items.map((i: { version: number }) => i.version));
      expect(page.items.length).toBeLessThanOrEqual(3);
      if (page.nextCursor === null) break;
      url = `/v1/me/history?limit=3&cursor=${page.nextCursor}`;
    }
    expect(versions).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    const first = (await api.app.inject({ method: 'GET', url: '/v1/me/history?limit=1', headers: as(sub) })).json().items[0];
    expect(first).toMatchObject({ version: 8, action: 'profile.updated', actor: { type: 'user', id: doc.id }, changes: [{ path: '/profile/headline', from: 'h6', to: 'h7' }] });
    const oldest = (await api.app.inject({ method: 'GET', url: '/v1/me/history?limit=200', headers: as(sub) })).json().items.at(-1);
    expect(oldest).toMatchObject({ version: 1, action: 'user.provisioned', actor: { type: 'system', id: 'jit' } });
  });

  it('history refuses a forged cursor and a bad limit with 400', async () => {
    const { sub } = await newUser();
    expect((await api.app.inject({ method: 'GET', url: '/v1/me/history?cursor=bm9wZQ', headers: as(sub) })).statusCode).toBe(400);
    expect((await api.app.inject({ method: 'GET', url: '/v1/me/history?limit=0', headers: as(sub) })).statusCode).toBe(400);
    expect((await api.app.inject({ method: 'GET', url: '/v1/me/history?limit=abc', headers: as(sub) })).statusCode).toBe(400);
  });

  it('the user never sees changes to admin-only attributes in their history or versions', async () => {
    const { sub, doc } = await newUser();
    const { userId: adminId } = await ensureUser(t.db, { issuer: 'urn:test', subject: `adm-${randomUUID()}`, source: 'cli' });
    await patchProfile(t.db, { userId: doc.id }, { attributes: { internalNote: 'watch' } }, null, { actor: { type: 'admin', id: adminId }, audience: 'admin', requestId: null });
    const history = (await api.app.inject({ method: 'GET', url: '/v1/me/history', headers: as(sub) })).json();
    expect(history.items[0]).toMatchObject({ version: 2, actor: { type: 'admin', id: adminId }, changes: [] });
    const v2 = (await api.app.inject({ method: 'GET', url: `/v1/users/${doc.id}/versions/2`, headers: as(sub) })).json();
    expect(v2.attributes).toEqual({});
    expect((await api.app.inject({ method: 'GET', url: '/v1/me', headers: as(sub) })).json().attributes).toEqual({});
  });

  it('versions: the owner may read their own; others need audit:read; a 403 never reveals existence', async () => {
    const owner = await newUser();
    const other = await newUser();
    const auditor = await newUser();
    await grantRole(t.db, auditor.doc.id, 'support');
    const get = (sub: string, id: string, n: number) => api.app.inject({ method: 'GET', url: `/v1/users/${id}/versions/${n}`, headers: as(sub) });

    expect((await get(owner.sub, owner.doc.id, 1)).json()).toEqual(owner.doc);
    expect((await get(other.sub, owner.doc.id, 1)).statusCode).toBe(403);
    expect((await get(other.sub, randomUUID(), 1)).statusCode).toBe(403);
    expect((await get(auditor.sub, owner.doc.id, 1)).statusCode).toBe(200);
    expect((await get(auditor.sub, randomUUID(), 1)).statusCode).toBe(404);
    expect((await get(auditor.sub, owner.doc.id, 99)).statusCode).toBe(404);
    // The permission is decided before the id is even parsed: a malformed id says nothing either.
    expect((await get(other.sub, 'not-a-uuid', 1)).statusCode).toBe(403);
    expect((await get(auditor.sub, 'not-a-uuid', 1)).statusCode).toBe(400);
  });

  it('a role grant is a versioned, audited change of the document', async () => {
    const { sub, doc } = await newUser();
    const result = await grantRoleToUser(t.db, doc.id, 'support', { type: 'system', id: 'cli' }, { source: 'cli' });
    expect(result).toMatchObject({ changed: true, version: 2 });
    const me = (await api.app.inject({ method: 'GET', url: '/v1/me', headers: as(sub) })).json();
    expect(me).toMatchObject({ version: 2, roles: ['job_seeker', 'support'], permissions: expect.arrayContaining(['users:read', 'audit:read']) });
    const history = (await api.app.inject({ method: 'GET', url: '/v1/me/history', headers: as(sub) })).json();
    expect(history.items[0]).toMatchObject({ action: 'role.granted', changes: [{ path: '/roles', from: ['job_seeker'], to: ['job_seeker', 'support'] }] });
    expect(await grantRoleToUser(t.db, doc.id, 'support', { type: 'system', id: 'cli' }, { source: 'cli' })).toMatchObject({ changed: false, version: 2 });
  });
});
