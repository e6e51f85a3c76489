import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents } from '../../../src/audit/index.js';
import { buildTestApp, TEST_ISSUER, type TestApp } from '../../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

describe('/v1/me', () => {
  let t: TestDatabase;
  let api: TestApp;

  beforeAll(async () => {
    t = await createTestDatabase();
    api = await buildTestApp(t.db);
  });
  afterAll(async () => {
    await api?.close();
    await t?.drop();
  });

  const get = (token?: string) =>
    api.app.inject({ method: 'GET', url: '/v1/me', headers: token ? { authorization: `Bearer ${token}` } : {} });
  const patch = (token: string, body: unknown, headers: Record<string, string> = {}) =>
    api.app.inject({
      method: 'PATCH',
      url: '/v1/me',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/merge-patch+json', ...headers },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const newUser = async () => {
    const token = api.tokenFor(`user-${randomUUID()}`);
    const res = await get(token);
    expect(res.statusCode).toBe(200);
    return { token, doc: res.json() };
  };

  describe('authentication', () => {
    it('401 with a bare Bearer challenge when no token is sent', async () => {
      const res = await get();
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ status: 401, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
    });

    it('401 invalid_token for a token that fails verification', async () => {
      const res = await get('not.a.jwt');
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
      expect(res.json().status).toBe(401);
    });

    it('401 before the body is read: an unauthenticated PATCH with a bad body is still 401', async () => {
      const res = await api.app.inject({ method: 'PATCH', url: '/v1/me', headers: { 'content-type': 'application/json' }, payload: '{' });
      expect(res.statusCode).toBe(401);
    });
  });

  describe('GET', () => {
    it('provisions just in time and returns the document with an ETag', async () => {
      const sub = `jit-${randomUUID()}`;
      const res = await get(api.tokenFor(sub));
      expect(res.statusCode).toBe(200);
      expect(res.headers.etag).toBe('"1"');
      const doc = res.json();
      expect(doc).toMatchObject({
        version: 1,
        identity: { issuer: TEST_ISSUER, subject: sub, email: `${sub}@example.com`, emailVerified: true },
        profile: { givenName: null, location: { city: null, region: null, country: null }, socialLinks: { linkedin: null } },
      });
      const again = await get(api.tokenFor(sub));
      expect(again.json().id).toBe(doc.id);
      const events = await t.db.selectFrom('audit_events').selectAll().where('user_id', '=', doc.id).execute();
      expect(events.map((e) => [e.action, e.source])).toEqual([['user.provisioned', 'jit']]);
    });

    it('answers 404 without creating anything when JIT provisioning is off', async () => {
      const noJit = await buildTestApp(t.db, { JIT_PROVISIONING: 'false' });
      try {
        const sub = `nojit-${randomUUID()}`;
        const res = await noJit.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${noJit.tokenFor(sub)}` } });
        expect(res.statusCode).toBe(404);
        expect(res.json().type).toMatch(/not-provisioned/);
        const rows = await t.db.selectFrom('identities').select('id').where('subject', '=', sub).execute();
        expect(rows).toEqual([]);
      } finally {
        await noJit.close();
      }
    });
  });

  describe('PATCH', () => {
    it('applies a merge patch, bumps the version by one and audits a field-level diff', async () => {
      const { token, doc } = await newUser();
      const res = await patch(token, {
        profile: {
          givenName: 'Ada',
          familyName: 'Lovelace',
          dateOfBirth: '1990-12-10',
          mobilePhone: '+447700900123',
          locale: 'en-gb',
          timeZone: 'Europe/London',
          location: { city: 'London', country: 'GB' },
          socialLinks: { linkedin: 'https://www.linkedin.com/in/ada', github: 'https://github.com/ada' },
        },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers.etag).toBe('"2"');
      const body = res.json();
      expect(body.version).toBe(2);
      expect(body.profile).toMatchObject({
        givenName: 'Ada',
        locale: 'en-GB',
        location: { city: 'London', region: null, country: 'GB' },
        socialLinks: { linkedin: 'https://www.linkedin.com/in/ada', github: 'https://github.com/ada', website: null },
      });
      expect((await get(token)).json()).toEqual(body);

      const events = await listAuditEvents(t.db, doc.id);
      expect(events).toHaveLength(2);
      const change = events[0]!;
      expect(change).toMatchObject({ action: 'profile.updated', source: 'api', version: 2, actor: { type: 'user', id: doc.id } });
      expect(change.requestId).toBeTruthy();
      expect(change.changes).toContainEqual(expect.objectContaining({ path: '/profile/givenName', from: null, to: 'Ada' }));
      expect(change.changes).toContainEqual(expect.objectContaining({ path: '/profile/location/city', from: null, to: 'London' }));
      expect(change.changes).toHaveLength(10);
    });

    it('null removes a member; a whole object set to null clears it', async () => {
      const { token } = await newUser();
      await patch(token, { profile: { headline: 'Engineer', location: { city: 'Paris', country: 'FR' } } });
      const res = await patch(token, { profile: { headline: null, location: null } });
      expect(res.statusCode).toBe(200);
      expect(res.json().profile).toMatchObject({ headline: null, location: { city: null, region: null, country: null } });
      expect(res.json().version).toBe(3);
    });

    it('a patch that changes nothing keeps the version and writes no event', async () => {
      const { token, doc } = await newUser();
      await patch(token, { profile: { bio: 'Hello' } });
      const res = await patch(token, { profile: { bio: 'Hello' } });
      expect(res.json().version).toBe(2);
      const events = await t.db.selectFrom('audit_events').select('id').where('user_id', '=', doc.id).execute();
      expect(events).toHaveLength(2);
    });

    it('accepts application/json as well as application/merge-patch+json', async () => {
      const { token } = await newUser();
      const res = await patch(token, { profile: { displayName: 'A' } }, { 'content-type': 'application/json' });
      expect(res.statusCode).toBe(200);
    });

    it('If-Match: current → 200, stale → 412, "*" → 200, garbage → 400', async () => {
      const { token } = await newUser();
      expect((await patch(token, { profile: { bio: 'one' } }, { 'if-match': '"1"' })).statusCode).toBe(200);
      const stale = await patch(token, { profile: { bio: 'two' } }, { 'if-match': '"1"' });
      expect(stale.statusCode).toBe(412);
      expect(stale.headers['content-type']).toMatch(/problem\+json/);
      expect((await patch(token, { profile: { bio: 'two' } }, { 'if-match': 'W/"2"' })).statusCode).toBe(412);
      expect((await patch(token, { profile: { bio: 'two' } }, { 'if-match': '"7", "2"' })).statusCode).toBe(200);
      expect((await patch(token, { profile: { bio: 'three' } }, { 'if-match': '*' })).statusCode).toBe(200);
      expect((await patch(token, { profile: { bio: 'four' } }, { 'if-match': '3' })).statusCode).toBe(400);
      expect((await get(token)).json()).toMatchObject({ version: 4, profile: { bio: 'three' } });
    });

    it('20 concurrent PATCHes with the same If-Match: one succeeds, 19 get 412', async () => {
      const { token, doc } = await newUser();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => patch(token, { profile: { headline: `h${i}` } }, { 'if-match': '"1"' })),
      );
      const codes = results.map((r) => r.statusCode).sort();
      expect(codes.filter((c) => c === 200)).toHaveLength(1);
      expect(codes.filter((c) => c === 412)).toHaveLength(19);
      const user = await t.db.selectFrom('users').select('version').where('id', '=', doc.id).executeTakeFirstOrThrow();
      expect(user.version).toBe(2);
      const events = await t.db.selectFrom('audit_events').select('id').where('user_id', '=', doc.id).execute();
      expect(events).toHaveLength(2);
    });

    it('20 concurrent unconditional PATCHes serialise: version grows by exactly 20', async () => {
      const { token, doc } = await newUser();
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => patch(token, { profile: { headline: `h${i}` } })));
      expect(results.every((r) => r.statusCode === 200)).toBe(true);
      const versions = await t.db.selectFrom('audit_events').select('version').where('user_id', '=', doc.id).orderBy('version').execute();
      expect(versions.map((v) => v.version)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    });

    it('a rejected change leaves nothing written', async () => {
      const { token, doc } = await newUser();
      const res = await patch(token, { profile: { givenName: 'Ada', dateOfBirth: '2024-02-30' } });
      expect(res.statusCode).toBe(422);
      const after = (await get(token)).json();
      expect(after).toEqual(doc);
      const events = await t.db.selectFrom('audit_events').select('id').where('user_id', '=', doc.id).execute();
      expect(events).toHaveLength(1);
    });
  });

  describe('validation', () => {
    const tooLong = 'x'.repeat(101);
    const cases: [string, unknown, number, string][] = [
      ['impossible date', { profile: { dateOfBirth: '1990-02-30' } }, 422, '/profile/dateOfBirth'],
      ['date not ISO', { profile: { dateOfBirth: '10/12/1990' } }, 422, '/profile/dateOfBirth'],
      ['younger than 13', { profile: { dateOfBirth: new Date().toISOString().slice(0, 10) } }, 422, '/profile/dateOfBirth'],
      ['older than 120', { profile: { dateOfBirth: '1890-01-01' } }, 422, '/profile/dateOfBirth'],
      ['phone not E.164', { profile: { mobilePhone: '07700 900123' } }, 422, '/profile/mobilePhone'],
      ['phone not a real number', { profile: { mobilePhone: '+4412' } }, 422, '/profile/mobilePhone'],
      ['country not ISO 3166', { profile: { location: { country: 'XX' } } }, 422, '/profile/location/country'],
      ['country lower case', { profile: { location: { country: 'gb' } } }, 422, '/profile/location/country'],
      ['linkedin on another host', { profile: { socialLinks: { linkedin: 'https://evil.example.com/in/ada' } } }, 422, '/profile/socialLinks/linkedin'],
      ['linkedin over http', { profile: { socialLinks: { linkedin: 'http://www.linkedin.com/in/ada' } } }, 422, '/profile/socialLinks/linkedin'],
      ['github on another host', { profile: { socialLinks: { github: 'https://gitlab.com/ada' } } }, 422, '/profile/socialLinks/github'],
      ['website not a URL', { profile: { socialLinks: { website: 'ada dot com' } } }, 422, '/profile/socialLinks/website'],
      ['javascript: website', { profile: { socialLinks: { website: 'javascript:alert(1)' } } }, 422, '/profile/socialLinks/website'],
      ['unknown social network', { profile: { socialLinks: { myspace: 'https://myspace.com/ada' } } }, 422, '/profile/socialLinks/myspace'],
      ['bad time zone', { profile: { timeZone: 'Mars/Olympus' } }, 422, '/profile/timeZone'],
      ['bad locale', { profile: { locale: 'not a locale!' } }, 422, '/profile/locale'],
      ['name too long', { profile: { givenName: tooLong } }, 422, '/profile/givenName'],
      ['empty name', { profile: { givenName: '' } }, 422, '/profile/givenName'],
      ['name of the wrong type', { profile: { givenName: 42 } }, 422, '/profile/givenName'],
      ['unknown profile field', { profile: { shoeSize: 42 } }, 422, '/profile/shoeSize'],
      ['unknown top-level field', { nickname: 'x' }, 422, '/nickname'],
      ['read-only id', { id: 'x' }, 422, '/id'],
      ['read-only version', { version: 9 }, 422, '/version'],
      ['read-only identity', { identity: { email: 'x@example.com' } }, 422, '/identity'],
      ['location of the wrong type', { profile: { location: 'London' } }, 422, '/profile/location'],
      ['NUL character', { profile: { bio: 'a\u0000b' } }, 422, '/profile/bio'],
      ['lone surrogate', { profile: { bio: 'a\ud800b' } }, 422, '/profile/bio'],
      ['theme not in the list', { preferences: { theme: 'neon' } }, 422, '/preferences/theme'],
      ['unknown notification channel', { preferences: { notifications: { fax: { jobAlerts: true } } } }, 422, '/preferences/notifications/fax'],
      ['notification flag not boolean', { preferences: { notifications: { email: { marketing: 'yes' } } } }, 422, '/preferences/notifications/email/marketing'],
      ['unknown topic', { preferences: { notifications: { push: { spam: true } } } }, 422, '/preferences/notifications/push/spam'],
      ['job alert frequency', { preferences: { jobAlertFrequency: 'hourly' } }, 422, '/preferences/jobAlertFrequency'],
      ['language not BCP 47', { preferences: { language: 'english please' } }, 422, '/preferences/language'],
      ['openToWork not boolean', { jobSeeker: { openToWork: 'yes' } }, 422, '/jobSeeker/openToWork'],
      ['too many desired titles', { jobSeeker: { desiredTitles: Array.from({ length: 21 }, (_, i) => `t${i}`) } }, 422, '/jobSeeker/desiredTitles'],
      ['duplicate desired titles', { jobSeeker: { desiredTitles: ['a', 'a'] } }, 422, '/jobSeeker/desiredTitles'],
      ['unknown work mode', { jobSeeker: { workModes: ['underwater'] } }, 422, '/jobSeeker/workModes/0'],
      ['unknown employment type', { jobSeeker: { employmentTypes: ['forever'] } }, 422, '/jobSeeker/employmentTypes/0'],
      ['currency not ISO 4217', { jobSeeker: { salaryExpectation: { currency: 'ABC', period: 'year' } } }, 422, '/jobSeeker/salaryExpectation/currency'],
      ['salary min above max', { jobSeeker: { salaryExpectation: { min: 9, max: 1, currency: 'EUR', period: 'year' } } }, 422, '/jobSeeker/salaryExpectation/max'],
      ['negative salary', { jobSeeker: { salaryExpectation: { min: -1, currency: 'EUR', period: 'year' } } }, 422, '/jobSeeker/salaryExpectation/min'],
      ['salary without currency', { jobSeeker: { salaryExpectation: { min: 1, period: 'year' } } }, 422, '/jobSeeker/salaryExpectation/currency'],
      ['years of experience out of range', { jobSeeker: { yearsOfExperience: 81 } }, 422, '/jobSeeker/yearsOfExperience'],
      ['fractional notice period', { jobSeeker: { noticePeriodDays: 1.5 } }, 422, '/jobSeeker/noticePeriodDays'],
      ['skill without a name', { jobSeeker: { skills: [{ level: 'expert' }] } }, 422, '/jobSeeker/skills/0/name'],
      ['skill level unknown', { jobSeeker: { skills: [{ name: 'Go', level: 'guru' }] } }, 422, '/jobSeeker/skills/0/level'],
      ['duplicate skill', { jobSeeker: { skills: [{ name: 'Go' }, { name: 'GO' }] } }, 422, '/jobSeeker/skills/1/name'],
      ['experience month invalid', { jobSeeker: { experience: [{ title: 'a', company: 'b', startDate: '2020-13' }] } }, 422, '/jobSeeker/experience/0/startDate'],
      ['experience ends before it starts', { jobSeeker: { experience: [{ title: 'a', company: 'b', startDate: '2020-05', endDate: '2019-01' }] } }, 422, '/jobSeeker/experience/0/endDate'],
      ['experience in the future', { jobSeeker: { experience: [{ title: 'a', company: 'b', startDate: '2999-01' }] } }, 422, '/jobSeeker/experience/0/startDate'],
      ['education ends before it starts', { jobSeeker: { education: [{ institution: 'x', startYear: 2010, endYear: 2000 }] } }, 422, '/jobSeeker/education/0/endYear'],
      ['work authorization country', { jobSeeker: { workAuthorization: [{ country: 'ZZ', status: 'citizen' }] } }, 422, '/jobSeeker/workAuthorization/0/country'],
      ['work authorization status', { jobSeeker: { workAuthorization: [{ country: 'GB', status: 'tourist' }] } }, 422, '/jobSeeker/workAuthorization/0/status'],
      ['undefined attribute', { attributes: { favouriteColour: 'blue' } }, 422, '/attributes/favouriteColour'],
      ['body is an array', [1, 2], 400, ''],
      ['body is a string', '"hello"', 400, ''],
    ];

    it.each(cases)('%s: %j → %d at %s', async (_name, body, status, pointer) => {
      const { token } = await newUser();
      const res = await patch(token, body);
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const problem = res.json();
      expect(problem.status).toBe(status);
      if (pointer !== '') expect(problem.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
    });

    it('reports every bad field at once', async () => {
      const { token } = await newUser();
      const res = await patch(token, { profile: { dateOfBirth: '1990-02-30', mobilePhone: '+4412', location: { country: 'XX' } } });
      expect(res.statusCode).toBe(422);
      expect(res.json().errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual([
        '/profile/dateOfBirth',
        '/profile/location/country',
        '/profile/mobilePhone',
      ]);
    });

    it('400 for a body that is not JSON', async () => {
      const { token } = await newUser();
      const res = await patch(token, '{"profile": ');
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    });

    it('415 for a body that is not JSON by its media type', async () => {
      const { token } = await newUser();
      const res = await patch(token, 'givenName=Ada', { 'content-type': 'application/x-www-form-urlencoded' });
      expect(res.statusCode).toBe(415);
      expect(res.json().status).toBe(415);
    });

    it('413 past BODY_LIMIT_BYTES', async () => {
      const small = await buildTestApp(t.db, { BODY_LIMIT_BYTES: '2048' });
      try {
        const token = small.tokenFor(`big-${randomUUID()}`);
        const res = await small.app.inject({
          method: 'PATCH',
          url: '/v1/me',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          payload: JSON.stringify({ profile: { bio: 'x'.repeat(3000) } }),
        });
        expect(res.statusCode).toBe(413);
        expect(res.json().status).toBe(413);
      } finally {
        await small.close();
      }
    });
  });
});
