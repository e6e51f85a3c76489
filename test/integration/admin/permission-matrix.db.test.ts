import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineRole } from '../../../src/access/index.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { actorWith, bearer, currentVersion, type Actor } from './helpers.js';

/**
 * Every admin route × every built-in role and a custom role, from one
 * table. The expectations are written out here, not derived from the
 * role definitions under test.
 */
type RoleName = 'job_seeker' | 'support' | 'admin' | 'auditor';
const CUSTOM_ROLE_PERMISSIONS = ['audit:read', 'reports:read'];

interface Route {
  name: string;
  method: 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'POST';
  url: (target: string) => string;
  body?: unknown;
  /** Sends If-Match with the target's current version. */
  ifMatch?: boolean;
  /** A destructive route: each case gets a user of its own as the target. */
  freshTarget?: boolean;
  /** Run before each case (recreates what an allowed call removes). */
  prepare?: (db: TestDatabase['db']) => Promise<unknown>;
  /** Roles that pass; every other role gets 403. */
  allowed: readonly RoleName[];
  /** What an allowed caller gets. */
  success: number;
}

const ALL: RoleName[] = ['job_seeker', 'support', 'admin', 'auditor'];
const SYSTEM = { type: 'system', id: 'test' } as const;
const MATRIX_ATTRIBUTE = { schema: { type: 'integer' }, description: 'permission matrix', personalData: false, visibility: 'self' };

const ROUTES: Route[] = [
  { name: 'search users', method: 'GET', url: () => '/v1/users?country=GB&limit=5', allowed: ['support', 'admin'], success: 200 },
  { name: 'search users, free text', method: 'GET', url: () => '/v1/users?q=example', allowed: ['support', 'admin'], success: 200 },
  { name: 'user detail', method: 'GET', url: (id) => `/v1/users/${id}`, allowed: ['support', 'admin'], success: 200 },
  { name: 'admin patch', method: 'PATCH', url: (id) => `/v1/users/${id}`, body: { profile: { headline: 'Edited by an admin' } }, ifMatch: true, allowed: ['admin'], success: 200 },
  { name: 'admin patch without If-Match', method: 'PATCH', url: (id) => `/v1/users/${id}`, body: { profile: { headline: 'x' } }, allowed: ['admin'], success: 428 },
  { name: 'user history', method: 'GET', url: (id) => `/v1/users/${id}/history`, allowed: ['support', 'admin', 'auditor'], success: 200 },
  { name: 'user version', method: 'GET', url: (id) => `/v1/users/${id}/versions/1`, allowed: ['support', 'admin', 'auditor'], success: 200 },
  { name: 'grant role', method: 'PUT', url: (id) => `/v1/users/${id}/roles/support`, allowed: ['admin'], success: 200 },
  { name: 'revoke role', method: 'DELETE', url: (id) => `/v1/users/${id}/roles/support`, allowed: ['admin'], success: 200 },
  { name: 'list roles', method: 'GET', url: () => '/v1/roles', allowed: ['support', 'admin'], success: 200 },
  { name: 'define role', method: 'PUT', url: () => '/v1/roles/matrix_role', body: { permissions: ['users:read'] }, allowed: ['admin'], success: 200 },
  { name: 'delete role', method: 'DELETE', url: () => '/v1/roles/matrix_doomed', prepare: (db) => defineRole(db, 'matrix_doomed', { permissions: [] }, SYSTEM, { source: 'test' }), allowed: ['admin'], success: 204 },
  { name: 'audit query', method: 'GET', url: (id) => `/v1/audit?target=${id}`, allowed: ['support', 'admin', 'auditor'], success: 200 },
  { name: 'summary report', method: 'GET', url: () => '/v1/reports/summary', allowed: ['support', 'admin', 'auditor'], success: 200 },
  { name: 'erase user', method: 'POST', url: (id) => `/v1/users/${id}/erase`, freshTarget: true, allowed: ['admin'], success: 200 },
  { name: 'attribute definitions', method: 'GET', url: () => '/v1/attribute-definitions', allowed: ['support', 'admin'], success: 200 },
  { name: 'attribute definition', method: 'GET', url: () => '/v1/attribute-definitions/matrixAttribute', allowed: ['support', 'admin'], success: 200 },
  { name: 'define attribute', method: 'PUT', url: () => '/v1/attribute-definitions/matrixAttribute', body: MATRIX_ATTRIBUTE, allowed: ['admin'], success: 200 },
];

describe('permission matrix: admin routes × roles', () => {
  let t: TestDatabase;
  let api: TestApp;
  const actors = {} as Record<RoleName, Actor>;
  let target: Actor;

  beforeAll(async () => {
    t = await createTestDatabase();
    api = await buildTestApp(t.db);
    await defineRole(t.db, 'auditor', { description: 'custom: audit and reports', permissions: CUSTOM_ROLE_PERMISSIONS }, { type: 'system', id: 'test' }, { source: 'test' });
    // "define role" creates matrix_role once (201), then replaces it (200): create it first so every allowed call is a 200.
    await defineRole(t.db, 'matrix_role', { permissions: [] }, SYSTEM, { source: 'test' });
    for (const role of ALL) actors[role] = await actorWith(t.db, api, role === 'job_seeker' ? [] : [role]);
    target = await actorWith(t.db, api, []);
    // Likewise the attribute definition: created here (201), so that each allowed PUT is a 200.
    const created = await api.app.inject({
      method: 'PUT',
      url: '/v1/attribute-definitions/matrixAttribute',
      headers: { ...bearer(actors.admin.token), 'content-type': 'application/json' },
      payload: JSON.stringify(MATRIX_ATTRIBUTE),
    });
    expect(created.statusCode, created.body).toBe(201);
  });
  afterAll(async () => {
    await api?.close();
    await t?.drop();
  });

  const cases = ROUTES.flatMap((route) => ALL.map((role) => ({ route, role, expected: route.allowed.includes(role) ? route.success : 403 })));

  it.each(cases)('$route.name as $role → $expected', async ({ route, role, expected }) => {
    await route.prepare?.(t.db);
    const subject = route.freshTarget ? await actorWith(t.db, api, []) : target;
    const headers: Record<string, string> = bearer(actors[role].token);
    if (route.ifMatch) headers['if-match'] = `"${await currentVersion(t.db, subject.userId)}"`;
    if (route.body !== undefined) headers['content-type'] = 'application/json';
    const res = await api.app.inject({
      method: route.method,
      url: route.url(subject.userId),
      headers,
      ...(route.body === undefined ? {} : { payload: JSON.stringify(route.body) }),
    });
    expect(res.statusCode, res.body).toBe(expected);
    if (expected === 403) expect(res.json()).toMatchObject({ status: 403, type: 'urn:profile-service:problem:forbidden' });
    if (expected === 428) expect(res.json()).toMatchObject({ status: 428, type: 'urn:profile-service:problem:precondition-required' });
  });

  it('a permission is checked before the input: a forbidden caller gets 403 even for malformed input', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/v1/users?limit=100000&country=nope', headers: bearer(actors.job_seeker.token) });
    expect(res.statusCode).toBe(403);
    const allowed = await api.app.inject({ method: 'GET', url: '/v1/users?limit=100000', headers: bearer(actors.support.token) });
    expect(allowed.statusCode).toBe(400);
  });

  it('unknown user with the permission → 404', async () => {
    const unknown = randomUUID();
    for (const [method, url] of [
      ['GET', `/v1/users/${unknown}`],
      ['GET', `/v1/users/${unknown}/history`],
      ['GET', `/v1/users/${unknown}/versions/1`],
      ['POST', `/v1/users/${unknown}/erase`],
      ['PUT', `/v1/users/${unknown}/roles/support`],
    ] as const) {
      const res = await api.app.inject({ method, url, headers: bearer(actors.admin.token) });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
  });
});
