import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents, verifyAuditChains } from '../../../src/audit/index.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { actorWith, bearer, type Actor } from './helpers.js';

describe('roles: grant, revoke, custom roles, group mapping', () => {
  let t: TestDatabase;
  let api: TestApp;
  let admin: Actor;
  let user: Actor;

  beforeAll(async () => {
    t = await createTestDatabase();
    api = await buildTestApp(t.db, { AUTH_GROUP_ROLES: 'support-team=support, admins=admin' });
    admin = await actorWith(t.db, api, ['admin']);
    user = await actorWith(t.db, api, []);
  });
  afterAll(async () => {
    await api?.close();
    await t?.drop();
  });

  const call = (method: 'GET' | 'PUT' | 'DELETE', url: string, token = admin.token, body?: unknown) =>
    api.app.inject({
      method,
      url,
      headers: { ...bearer(token), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });

  it('grant and revoke are versioned and audited with the admin as actor', async () => {
    const granted = await call('PUT', `/v1/users/${user.userId}/roles/support`);
    expect(granted.statusCode).toBe(200);
    expect(granted.json()).toMatchObject({ userId: user.userId, version: 2, roles: ['job_seeker', 'support'], changed: true });
    expect(granted.headers.etag).toBe('"2"');
    const again = await call('PUT', `/v1/users/${user.userId}/roles/support`);
    expect(again.json()).toMatchObject({ version: 2, changed: false });

    const revoked = await call('DELETE', `/v1/users/${user.userId}/roles/support`);
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ version: 3, roles: ['job_seeker'], changed: true });
    const noop = await call('DELETE', `/v1/users/${user.userId}/roles/support`);
    expect(noop.json()).toMatchObject({ version: 3, changed: false });

    const events = await listAuditEvents(t.db, user.userId);
    expect(events.slice(0, 2).map((e) => [e.action, e.version, e.actor, e.source])).toEqual([
      ['role.revoked', 3, { type: 'admin', id: admin.userId }, 'admin_api'],
      ['role.granted', 2, { type: 'admin', id: admin.userId }, 'admin_api'],
    ]);
    expect(events[0]!.changes).toEqual([{ path: '/roles', from: ['job_seeker', 'support'], to: ['job_seeker'], redacted: false }]);
    const v2 = await call('GET', `/v1/users/${user.userId}/versions/2`);
    expect(v2.json().roles).toEqual(['job_seeker', 'support']);
    const audit = await call('GET', `/v1/audit?target=${user.userId}&action=role.revoked`);
    expect(audit.json().items.map((i: { version: number }) => i.version)).toEqual([3]);
    expect((await verifyAuditChains(t.db, { userId: user.userId })).problems).toEqual([]);
  });

  it('refuses to revoke job_seeker and the last admin; unknown role → 400, unknown user → 404', async () => {
    expect((await call('DELETE', `/v1/users/${user.userId}/roles/job_seeker`)).statusCode).toBe(409);
    expect((await call('DELETE', `/v1/users/${admin.userId}/roles/admin`)).statusCode).toBe(409);
    expect((await call('PUT', `/v1/users/${user.userId}/roles/no_such_role`)).statusCode).toBe(400);
    expect((await call('PUT', `/v1/users/00000000-0000-4000-8000-000000000000/roles/support`)).statusCode).toBe(404);
    // With a second admin, the first may go.
    const second = await actorWith(t.db, api, ['admin']);
    expect((await call('DELETE', `/v1/users/${second.userId}/roles/admin`)).statusCode).toBe(200);
  });

  it('custom roles: created (201), replaced (200), built-ins immutable (409), unknown permission (422), recorded', async () => {
    const created = await call('PUT', '/v1/roles/recruiter', admin.token, { description: 'Reads users', permissions: ['users:read'] });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'recruiter', builtIn: false, permissions: ['users:read'], members: 0 });
    const replaced = await call('PUT', '/v1/roles/recruiter', admin.token, { permissions: ['users:read', 'reports:read'] });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toMatchObject({ description: 'Reads users', permissions: ['reports:read', 'users:read'] });
    expect((await call('PUT', '/v1/roles/admin', admin.token, { permissions: [] })).statusCode).toBe(409);
    expect((await call('PUT', '/v1/roles/support', admin.token, { permissions: ['users:read'] })).statusCode).toBe(409);
    expect((await call('PUT', '/v1/roles/recruiter', admin.token, { permissions: ['users:fly'] })).statusCode).toBe(422);
    const events = await t.db.selectFrom('role_events').selectAll().where('role', '=', 'recruiter').orderBy('occurred_at').execute();
    expect(events.map((e) => [e.action, e.permissions_before, e.permissions_after, e.actor_id])).toEqual([
      ['role.created', null, ['users:read'], admin.userId],
      ['role.updated', ['users:read'], ['reports:read', 'users:read'], admin.userId],
    ]);

    // A holder of the custom role gets exactly its permissions, at once.
    const recruiter = await actorWith(t.db, api, ['recruiter']);
    expect((await call('GET', '/v1/users?limit=1', recruiter.token)).statusCode).toBe(200);
    expect((await call('GET', '/v1/reports/summary', recruiter.token)).statusCode).toBe(200);
    expect((await call('GET', '/v1/audit', recruiter.token)).statusCode).toBe(403);
    const roles = await call('GET', '/v1/roles');
    expect(roles.json().items.find((r: { name: string }) => r.name === 'recruiter')).toMatchObject({ members: 1 });
  });

  it('custom roles can be deleted once nobody holds them; built-ins and unknown roles cannot; recorded', async () => {
    expect((await call('PUT', '/v1/roles/temp_staff', admin.token, { description: 'Temporary', permissions: ['reports:read'] })).statusCode).toBe(201);
    const holder = await actorWith(t.db, api, ['temp_staff']);
    expect((await call('GET', '/v1/reports/summary', holder.token)).statusCode).toBe(200);

    const inUse = await call('DELETE', '/v1/roles/temp_staff');
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json()).toMatchObject({ status: 409, type: 'urn:profile-service:problem:conflict' });
    expect((await call('DELETE', `/v1/users/${holder.userId}/roles/temp_staff`)).statusCode).toBe(200);

    expect((await call('DELETE', '/v1/roles/temp_staff')).statusCode).toBe(204);
    expect((await call('DELETE', '/v1/roles/temp_staff')).statusCode).toBe(404);
    const roles = (await call('GET', '/v1/roles')).json().items.map((r: { name: string }) => r.name);
    expect(roles).not.toContain('temp_staff');
    expect(await t.db.selectFrom('role_permissions').select('permission').where('role', '=', 'temp_staff').execute()).toEqual([]);
    // The former holder's permissions went with the role, and it can no longer be granted.
    expect((await call('GET', '/v1/reports/summary', holder.token)).statusCode).toBe(403);
    expect((await call('PUT', `/v1/users/${holder.userId}/roles/temp_staff`)).statusCode).toBe(400);

    for (const builtIn of ['job_seeker', 'support', 'admin']) expect((await call('DELETE', `/v1/roles/${builtIn}`)).statusCode, builtIn).toBe(409);
    expect((await call('DELETE', '/v1/roles/Not-A-Name')).statusCode).toBe(400);
    expect((await call('DELETE', '/v1/roles/temp_staff', user.token)).statusCode).toBe(403);

    const events = await t.db.selectFrom('role_events').selectAll().where('role', '=', 'temp_staff').orderBy('occurred_at').execute();
    expect(events.map((e) => [e.action, e.description_before, e.permissions_before, e.description_after, e.permissions_after, e.actor_id])).toEqual([
      ['role.created', null, null, 'Temporary', ['reports:read'], admin.userId],
      ['role.deleted', 'Temporary', ['reports:read'], null, null, admin.userId],
    ]);
    // A role of the same name can be created again afresh.
    expect((await call('PUT', '/v1/roles/temp_staff', admin.token, { permissions: [] })).statusCode).toBe(201);
  });

  it('a grant racing a deletion: either the grant wins and the deletion is refused, or the grant finds no role', async () => {
    for (let round = 0; round < 5; round++) {
      const role = `race_${round}`;
      expect((await call('PUT', `/v1/roles/${role}`, admin.token, { permissions: ['reports:read'] })).statusCode).toBe(201);
      const person = await actorWith(t.db, api, []);
      const [grant, removal] = await Promise.all([call('PUT', `/v1/users/${person.userId}/roles/${role}`), call('DELETE', `/v1/roles/${role}`)]);
      const outcome = [grant.statusCode, removal.statusCode];
      expect([[200, 409], [400, 204]], JSON.stringify(outcome)).toContainEqual(outcome);
      const held = await t.db.selectFrom('user_roles').select('role').where('user_id', '=', person.userId).where('role', '=', role).execute();
      const exists = await t.db.selectFrom('roles').select('name').where('name', '=', role).execute();
      expect([held.length, exists.length]).toEqual(grant.statusCode === 200 ? [1, 1] : [0, 0]);
    }
  });

  it('cognito:groups mapped by AUTH_GROUP_ROLES confer permissions only while the token carries the group', async () => {
    const person = await actorWith(t.db, api, []);
    const withGroup = api.tokenFor(person.sub, { 'cognito:groups': ['support-team'] });
    const otherGroup = api.tokenFor(person.sub, { 'cognito:groups': ['marketing'] });
    expect((await call('GET', '/v1/users?limit=1', withGroup)).statusCode).toBe(200);
    expect((await call('GET', '/v1/attribute-definitions', withGroup)).statusCode).toBe(200);
    expect((await call('PUT', `/v1/users/${user.userId}/roles/support`, withGroup)).statusCode).toBe(403);
    expect((await call('GET', '/v1/users?limit=1', otherGroup)).statusCode).toBe(403);
    expect((await call('GET', '/v1/users?limit=1', person.token)).statusCode).toBe(403);
    // Nothing was stored.
    const stored = await t.db.selectFrom('user_roles').select('role').where('user_id', '=', person.userId).execute();
    expect(stored.map((r) => r.role)).toEqual(['job_seeker']);
  });
});
