import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { actorWith, bearer, currentVersion, type Actor } from './helpers.js';

/**
 * IDOR: a plain user (job_seeker only) cannot read or change another user
 * through any route, and the 403 they get is byte-for-byte the same for a
 * user who exists and one who does not.
 */
const ROUTES: { method: 'GET' | 'PUT' | 'PATCH' | 'DELETE'; url: (id: string) => string; body?: unknown; ifMatch?: boolean }[] = [
  { method: 'GET', url: (id) => `/v1/users/${id}` },
  { method: 'PATCH', url: (id) => `/v1/users/${id}`, body: { profile: { headline: 'pwned' } }, ifMatch: true },
  { method: 'PATCH', url: (id) => `/v1/users/${id}`, body: { profile: { headline: 'pwned' } } },
  { method: 'GET', url: (id) => `/v1/users/${id}/history` },
  { method: 'GET', url: (id) => `/v1/users/${id}/versions/1` },
  { method: 'PUT', url: (id) => `/v1/users/${id}/roles/admin` },
  { method: 'DELETE', url: (id) => `/v1/users/${id}/roles/job_seeker` },
  { method: 'GET', url: (id) => `/v1/audit?target=${id}` },
  { method: 'GET', url: () => `/v1/users?email=victim%40example.com` },
];

/** Headers that legitimately differ between two requests. */
const VARYING = new Set(['x-request-id', 'date']);

describe('IDOR: a user cannot reach another user', () => {
  let t: TestDatabase;
  let api: TestApp;
  let attacker: Actor;
  let victim: Actor;

  beforeAll(async () => {
    t = await createTestDatabase();
    api = await buildTestApp(t.db);
    attacker = await actorWith(t.db, api, []);
    victim = await actorWith(t.db, api, []);
  });
  afterAll(async () => {
    await api?.close();
    await t?.drop();
  });

  const send = (route: (typeof ROUTES)[number], id: string, version: number) =>
    api.app.inject({
      method: route.method,
      url: route.url(id),
      headers: {
        ...bearer(attacker.token),
        ...(route.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(route.ifMatch ? { 'if-match': `"${version}"` } : {}),
      },
      ...(route.body === undefined ? {} : { payload: JSON.stringify(route.body) }),
    });

  it.each(ROUTES.map((route) => ({ route, label: `${route.method} ${route.url(':id')}${route.ifMatch ? ' (If-Match)' : ''}` })))(
    '$label → the same 403 for an existing and a missing user',
    async ({ route }) => {
      const version = await currentVersion(t.db, victim.userId);
      const existing = await send(route, victim.userId, version);
      const missing = await send(route, randomUUID(), version);
      expect(existing.statusCode).toBe(403);
      expect(missing.statusCode).toBe(403);
      expect(existing.body).toBe(missing.body);
      const strip = (headers: Record<string, unknown>) => Object.fromEntries(Object.entries(headers).filter(([name]) => !VARYING.has(name)));
      expect(strip(existing.headers)).toEqual(strip(missing.headers));
    },
  );

  it('nothing about the victim changed', async () => {
    expect(await currentVersion(t.db, victim.userId)).toBe(1);
    const roles = await t.db.selectFrom('user_roles').select('role').where('user_id', '=', victim.userId).execute();
    expect(roles.map((r) => r.role)).toEqual(['job_seeker']);
    const attackerRoles = await t.db.selectFrom('user_roles').select('role').where('user_id', '=', attacker.userId).execute();
    expect(attackerRoles.map((r) => r.role)).toEqual(['job_seeker']);
  });

  it('the user may read their own history and versions, but not the admin view of themselves', async () => {
    const own = (url: string) => api.app.inject({ method: 'GET', url, headers: bearer(attacker.token) });
    expect((await own(`/v1/users/${attacker.userId}/history`)).statusCode).toBe(200);
    expect((await own(`/v1/users/${attacker.userId}/versions/1`)).statusCode).toBe(200);
    expect((await own(`/v1/users/${attacker.userId}`)).statusCode).toBe(403);
    expect((await own(`/v1/users/${attacker.userId.toUpperCase()}/history`)).statusCode).toBe(200);
  });
});
