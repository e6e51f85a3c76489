import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { grantRoleToUser } from '../../../src/access/index.js';
import type { Db } from '../../../src/db/index.js';
import { ensureUser } from '../../../src/users/index.js';
import { TEST_ISSUER, type TestApp } from '../../helpers/app.js';

export interface Actor {
  sub: string;
  token: string;
  userId: string;
}

/** A provisioned user holding `roles` (besides job_seeker), with a token the test app accepts. */
export async function actorWith(db: Db, api: TestApp, roles: readonly string[], claims: Record<string, unknown> = {}): Promise<Actor> {
  const sub = `actor-${randomUUID()}`;
  const { userId } = await ensureUser(db, { issuer: TEST_ISSUER, subject: sub, email: `${sub}@example.com`, emailVerified: true, source: 'cli' });
  for (const role of roles) await grantRoleToUser(db, userId, role, { type: 'system', id: 'test' }, { source: 'test' });
  // The fixture's default ID token carries groups (admins, staff): none here unless asked for.
  return { sub, token: api.tokenFor(sub, { 'cognito:groups': [], ...claims }), userId };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export async function currentVersion(db: Db, userId: string): Promise<number> {
  const row = await db.selectFrom('users').select('version').where('id', '=', userId).executeTakeFirstOrThrow();
  return row.version;
}

export function expectProblem(res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, status: number): void {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
}
