import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { buildAttributesTestApp, createUser, uniqueKey, type AttributesTestApp, type TestUser } from './helpers.js';

describe('/v1/attribute-definitions', () => {
  let t: TestDatabase;
  let api: AttributesTestApp;
  let plain: TestUser;
  let admin: TestUser;
  let support: TestUser;

  beforeAll(async () => {
    t = await createTestDatabase();
    api = await buildAttributesTestApp(t.db);
    [plain, admin, support] = await Promise.all([createUser(t.db), createUser(t.db, 'admin'), createUser(t.db, 'support')]);
  });
  afterAll(async () => {
    await api?.close();
    await t?.drop();
  });

  const auth = (user: TestUser) => ({ authorization: `Bearer ${api.tokenFor(user.sub)}` });
  const list = (user: TestUser) => api.app.inject({ method: 'GET', url: '/v1/attribute-definitions', headers: auth(user) });
  const get = (user: TestUser, key: string) => api.app.inject({ method: 'GET', url: `/v1/attribute-definitions/${key}`, headers: auth(user) });
  const put = (user: TestUser, key: string, body: unknown, headers: Record<string, string> = {}) =>
    api.app.inject({
      method: 'PUT',
      url: `/v1/attribute-definitions/${key}`,
      headers: { ...auth(user), 'content-type': 'application/json', ...headers },
      payload: JSON.stringify(body),
    });
  const definition = (schema: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    schema,
    description: 'test attribute',
    personalData: false,
    visibility: 'self',
    ...extra,
  });
  const storedValue = async (userId: string, key: string, value: unknown) => {
    await t.db.insertInto('user_attributes').values({ user_id: userId, key, value: JSON.stringify(value) }).execute();
  };
  const snapshot = async (key: string) => ({
    definition: await t.db.selectFrom('attribute_definitions').selectAll().where('key', '=', key).executeTakeFirst(),
    versions: await t.db.selectFrom('attribute_definition_versions').selectAll().where('key', '=', key).orderBy('version').execute(),
    values: await t.db.selectFrom('user_attributes').select(['user_id', 'value']).where('key', '=', key).orderBy('user_id').execute(),
  });

  describe('permissions', () => {
    it('401 without a token', async () => {
      const res = await api.app.inject({ method: 'GET', url: '/v1/attribute-definitions' });
      expect(res.statusCode).toBe(401);
    });

    it('403 for a plain user on GET (list and one) and PUT, whatever the body', async () => {
      const key = uniqueKey('perm');
      expect((await put(admin, key, definition({ type: 'string' }))).statusCode).toBe(201);
      for (const res of [await list(plain), await get(plain, key), await put(plain, key, definition({ type: 'string' })), await put(plain, key, { nonsense: 1 })]) {
        expect(res.statusCode).toBe(403);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.json()).toMatchObject({ status: 403, type: 'urn:profile-service:problem:forbidden' });
      }
      expect((await snapshot(key)).definition?.version).toBe(1);
    });

    it('support may read (schema:read) but not write', async () => {
      const key = uniqueKey('support');
      expect((await put(admin, key, definition({ type: 'string' }))).statusCode).toBe(201);
      const all = await list(support);
      expect(all.statusCode).toBe(200);
      expect(all.json().items.map((d: { key: string }) => d.key)).toContain(key);
      expect((await get(support, key)).statusCode).toBe(200);
      expect((await put(support, key, definition({ type: 'integer' }))).statusCode).toBe(403);
      expect((await put(support, uniqueKey('support'), definition({ type: 'integer' }))).statusCode).toBe(403);
    });

    it('admin may create (201) and read (200)', async () => {
      const key = uniqueKey('admin');
      const created = await put(admin, key, definition({ type: 'string', maxLength: 10 }, { personalData: true, visibility: 'admins' }));
      expect(created.statusCode).toBe(201);
      expect(created.headers.etag).toBe('"1"');
      expect(created.headers.location).toBe(`/v1/attribute-definitions/${key}`);
      expect(created.json()).toEqual({
        key,
        version: 1,
        schema: { type: 'string', maxLength: 10 },
        description: 'test attribute',
        personalData: true,
        visibility: 'admins',
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const one = await get(admin, key);
      expect(one.statusCode).toBe(200);
      expect(one.headers.etag).toBe('"1"');
      expect(one.json()).toMatchObject({ key, version: 1, versions: [{ version: 1, createdBy: admin.userId }] });
    });
  });

  describe('versioning', () => {
    it('a second PUT makes version 2; both versions are listed with who made them', async () => {
      const key = uniqueKey('ver');
      expect((await put(admin, key, definition({ type: 'string', maxLength: 5 }))).statusCode).toBe(201);
      const second = await put(admin, key, definition({ type: 'string', maxLength: 50 }, { description: 'longer' }));
      expect(second.statusCode).toBe(200);
      expect(second.headers.etag).toBe('"2"');
      expect(second.json()).toMatchObject({ version: 2, description: 'longer', schema: { maxLength: 50 } });

      const one = (await get(admin, key)).json();
      expect(one.version).toBe(2);
      expect(one.versions).toEqual([
        expect.objectContaining({ version: 1, schema: { type: 'string', maxLength: 5 }, description: 'test attribute', createdBy: admin.userId }),
        expect.objectContaining({ version: 2, schema: { type: 'string', maxLength: 50 }, description: 'longer', createdBy: admin.userId }),
      ]);
    });

    it('a PUT identical to the current definition changes nothing (no new version), whatever the member order', async () => {
      const key = uniqueKey('same');
      await put(admin, key, definition({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer' } } }));
      const before = await snapshot(key);
      const again = await put(admin, key, definition({ properties: { b: { type: 'integer' }, a: { type: 'string' } }, type: 'object' }));
      expect(again.statusCode).toBe(200);
      expect(again.json().version).toBe(1);
      expect(await snapshot(key)).toEqual(before);
    });

    it('an omitted description is empty (PUT replaces the whole definition)', async () => {
      const key = uniqueKey('desc');
      await put(admin, key, definition({ type: 'string' }));
      const res = await put(admin, key, { schema: { type: 'string' }, personalData: false, visibility: 'self' });
      expect(res.json()).toMatchObject({ version: 2, description: '' });
    });

    it('honours If-Match: current version applies, a stale one is 412, and If-Match on a missing definition is 412', async () => {
      const key = uniqueKey('ifm');
      expect((await put(admin, key, definition({ type: 'string' }), { 'if-match': '"1"' })).statusCode).toBe(412);
      expect((await put(admin, key, definition({ type: 'string' }), { 'if-match': '*' })).statusCode).toBe(412);
      expect((await put(admin, key, definition({ type: 'string' }))).statusCode).toBe(201);
      expect((await put(admin, key, definition({ type: 'string', maxLength: 9 }), { 'if-match': '"1"' })).statusCode).toBe(200);
      const stale = await put(admin, key, definition({ type: 'string', maxLength: 99 }), { 'if-match': '"1"' });
      expect(stale.statusCode).toBe(412);
      expect(stale.json().type).toBe('urn:profile-service:problem:precondition-failed');
      expect((await put(admin, key, definition({ type: 'string' }), { 'if-match': 'garbage' })).statusCode).toBe(400);
      expect((await snapshot(key)).definition?.version).toBe(2);
    });
  });

  describe('validation', () => {
    it('422 with pointers under /schema for an invalid schema, and nothing stored', async () => {
      const key = uniqueKey('bad');
      const res = await put(admin, key, definition({ type: 'object', properties: { a: { type: 'strin' }, b: { $ref: 'https://evil.example/s.json' } } }));
      expect(res.statusCode).toBe(422);
      expect(res.json().type).toBe('urn:profile-service:problem:validation');
      expect(res.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual(
        expect.arrayContaining(['/schema/properties/a/type', '/schema/properties/b/$ref']),
      );
      expect((await snapshot(key)).definition).toBeUndefined();
    });

    it('422 for a body that breaks the route schema (bad visibility, unknown member)', async () => {
      const res = await put(admin, uniqueKey('body'), { ...definition({ type: 'string' }), visibility: 'everyone', extra: true });
      expect(res.statusCode).toBe(422);
      expect(res.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual(expect.arrayContaining(['/visibility', '/extra']));
    });

    it('400 for a key that breaks the key rule', async () => {
      expect((await put(admin, 'Bad-Key', definition({ type: 'string' }))).statusCode).toBe(400);
      expect((await put(admin, `a${'b'.repeat(64)}`, definition({ type: 'string' }))).statusCode).toBe(400);
    });

    it('404 for an unknown definition', async () => {
      const res = await get(admin, uniqueKey('missing'));
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ status: 404, type: 'urn:profile-service:problem:not-found' });
    });
  });

  describe('the compatibility rule', () => {
    it('refuses (409) a schema that would invalidate stored values, says how many and which rules, and changes nothing', async () => {
      const key = uniqueKey('size');
      await put(admin, key, definition({ type: 'string', enum: ['S', 'M', 'L', 'XL'] }));
      const users = await Promise.all([createUser(t.db), createUser(t.db), createUser(t.db), createUser(t.db)]);
      await storedValue(users[0]!.userId, key, 'S');
      await storedValue(users[1]!.userId, key, 'XL');
      await storedValue(users[2]!.userId, key, 'XL');
      await storedValue(users[3]!.userId, key, 'L');
      const before = await snapshot(key);

      const res = await put(admin, key, definition({ type: 'string', enum: ['S', 'M', 'L'] }));
      expect(res.statusCode).toBe(409);
      const body = res.json();
      expect(body.type).toBe('urn:profile-service:problem:conflict');
      expect(body.detail).toMatch(/^2 stored values of "size_\w+" would become invalid/);
      expect(body.errors).toEqual([{ pointer: '/schema/enum', message: expect.stringMatching(/fails for 2 stored values/) }]);
      const text = res.body;
      for (const user of users) expect(text).not.toContain(user.userId);
      expect(text).not.toContain('"XL"');
      expect(await snapshot(key)).toEqual(before);
    });

    it('accepts a compatible change: widening an enum, raising maxLength', async () => {
      const size = uniqueKey('size');
      await put(admin, size, definition({ type: 'string', enum: ['S', 'M'] }));
      const nick = uniqueKey('nick');
      await put(admin, nick, definition({ type: 'string', maxLength: 5 }));
      const user = await createUser(t.db);
      await storedValue(user.userId, size, 'M');
      await storedValue(user.userId, nick, 'abcde');

      const widened = await put(admin, size, definition({ type: 'string', enum: ['S', 'M', 'L'] }));
      expect(widened.statusCode).toBe(200);
      expect(widened.json().version).toBe(2);
      const raised = await put(admin, nick, definition({ type: 'string', maxLength: 20 }));
      expect(raised.statusCode).toBe(200);
      expect(raised.json().version).toBe(2);
    });

    it('accepts a tightening that every stored value already satisfies, and visibility/personalData changes without a scan', async () => {
      const key = uniqueKey('tight');
      await put(admin, key, definition({ type: 'string', maxLength: 100 }));
      const user = await createUser(t.db);
      await storedValue(user.userId, key, 'short');
      expect((await put(admin, key, definition({ type: 'string', maxLength: 5 }))).statusCode).toBe(200);
      expect((await put(admin, key, definition({ type: 'string', maxLength: 4 }))).statusCode).toBe(409);
      const moved = await put(admin, key, definition({ type: 'string', maxLength: 5 }, { visibility: 'admins', personalData: true }));
      expect(moved.statusCode).toBe(200);
      expect(moved.json()).toMatchObject({ version: 3, visibility: 'admins', personalData: true });
    });

    it('checks every stored value, past one scan batch', async () => {
      const key = uniqueKey('many');
      await put(admin, key, definition({ type: 'integer' }));
      const { rows } = await sql<{ id: string }>`insert into users (status) select 'active' from generate_series(1, 1200) returning id`.execute(t.db);
      const ids = rows.map((u) => u.id).sort();
      await t.db
        .insertInto('user_attributes')
        .values(ids.map((id, i) => ({ user_id: id, key, value: JSON.stringify(i) })))
        .execute();
      // Only the value stored for the last user in the scan order breaks `maximum: 1198`.
      const res = await put(admin, key, definition({ type: 'integer', maximum: 1198 }));
      expect(res.statusCode).toBe(409);
      expect(res.json().detail).toMatch(/^1 stored value of/);
      expect((await put(admin, key, definition({ type: 'integer', maximum: 1199 }))).statusCode).toBe(200);
    });
  });
});
