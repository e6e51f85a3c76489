import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantRole } from '../../../src/access/index.js';
import { signProvisionRequest } from '../../../src/http/routes/internal.js';
import { buildTestApp, TEST_ISSUER, type TestApp } from '../../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';

describe('POST /internal/provision (backend-event path) and DELETE /v1/me', () => {
  let t: TestDatabase;
  let api: TestApp;
  beforeAll(async () => {
    t = await createTestDatabase();
    api = await buildTestApp(t.db, { PROVISION_SHARED_SECRET: SECRET });
  });
  afterAll(async () => {
    await api?.close();
    await t?.drop();
  });

  const provision = (body: string, headers: Record<string, string>) =>
    api.app.inject({ method: 'POST', url: '/internal/provision', headers: { 'content-type': 'application/json', ...headers }, payload: body });

  it('provisions idempotently under the configured issuer: 201, then 200', async () => {
    const sub = `backend-${randomUUID()}`;
    const body = JSON.stringify({ sub, email: 'b@example.com', emailVerified: true });
    const first = await provision(body, signProvisionRequest(SECRET, body));
    expect(first.statusCode).toBe(201);
    const second = await provision(body, signProvisionRequest(SECRET, body));
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual({ userId: first.json().userId, created: false });
    const identity = await t.db.selectFrom('identities').selectAll().where('subject', '=', sub).executeTakeFirstOrThrow();
    expect(identity).toMatchObject({ issuer: TEST_ISSUER, email: 'b@example.com' });
    const event = await t.db.selectFrom('audit_events').select('source').where('user_id', '=', identity.user_id).executeTakeFirstOrThrow();
    expect(event.source).toBe('backend_event');
  });

  it('refuses a wrong signature, a tampered body, an old timestamp and missing headers with 401', async () => {
    const body = JSON.stringify({ sub: `backend-${randomUUID()}` });
    expect((await provision(body, signProvisionRequest('another-secret-that-is-long-enough-0123456', body))).statusCode).toBe(401);
    expect((await provision(JSON.stringify({ sub: 'someone-else' }), signProvisionRequest(SECRET, body))).statusCode).toBe(401);
    expect((await provision(body, signProvisionRequest(SECRET, body, Date.now() - 10 * 60_000))).statusCode).toBe(401);
    expect((await provision(body, {})).statusCode).toBe(401);
    expect(await t.db.selectFrom('identities').select('id').where('subject', '=', JSON.parse(body).sub).execute()).toEqual([]);
  });

  it('is absent when PROVISION_SHARED_SECRET is not set', async () => {
    const plain = await buildTestApp(t.db);
    try {
      const body = JSON.stringify({ sub: 'x' });
      expect((await plain.app.inject({ method: 'POST', url: '/internal/provision', headers: { 'content-type': 'application/json', ...signProvisionRequest(SECRET, body) }, payload: body })).statusCode).toBe(404);
    } finally {
      await plain.close();
    }
  });

  it('DELETE /v1/me erases the caller: 204, then the identity is gone for good', async () => {
    const sub = `leaver-${randomUUID()}`;
    const headers = { authorization: `Bearer ${api.tokenFor(sub)}` };
    await api.app.inject({ method: 'PATCH', url: '/v1/me', headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify({ profile: { givenName: 'Gone' } }) });
    const res = await api.app.inject({ method: 'DELETE', url: '/v1/me', headers });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    for (const [method, url] of [['GET', '/v1/me'], ['GET', '/v1/me/history'], ['GET', '/v1/me/export'], ['DELETE', '/v1/me']] as const) {
      expect((await api.app.inject({ method, url, headers })).statusCode, `${method} ${url}`).toBe(404);
    }
    const body = JSON.stringify({ sub });
    expect((await provision(body, signProvisionRequest(SECRET, body))).json()).toMatchObject({ created: false });
    const metrics = await api.app.inject('/metrics');
    expect(metrics.body).toMatch(/profile_erasures_total\{source="api"\} 1/);
  });

  it('POST /v1/users/{id}/erase needs users:erase; a 403 says nothing about existence', async () => {
    const target = `target-${randomUUID()}`;
    const targetId = (await api.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${api.tokenFor(target)}` } })).json().id;
    const as = async (role: string | null) => {
      const sub = `${role ?? 'plain'}-${randomUUID()}`;
      const id = (await api.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${api.tokenFor(sub)}` } })).json().id;
      if (role) await grantRole(t.db, id, role);
      return { authorization: `Bearer ${api.tokenFor(sub)}` };
    };
    const erase = (headers: Record<string, string>, id: string) => api.app.inject({ method: 'POST', url: `/v1/users/${id}/erase`, headers });
    const support = await as('support');
    expect((await erase(support, targetId)).statusCode).toBe(403);
    expect((await erase(support, randomUUID())).statusCode).toBe(403);
    const admin = await as('admin');
    expect((await erase(admin, randomUUID())).statusCode).toBe(404);
    const first = await erase(admin, targetId);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ userId: targetId, status: 'erased', alreadyErased: false, pendingObjects: 0 });
    expect((await erase(admin, targetId)).json()).toMatchObject({ alreadyErased: true });
    expect((await api.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${api.tokenFor(target)}` } })).statusCode).toBe(404);
  });
});
