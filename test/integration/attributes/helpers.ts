import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { grantRole, resolvePrincipal } from '../../../src/access/index.js';
import type { Db } from '../../../src/db/index.js';
import { buildTestApp, TEST_ISSUER, type TestApp } from '../../helpers/app.js';

export type AttributesTestApp = TestApp;

/** The real app (src/http/app.ts registers the definitions routes). */
export async function buildAttributesTestApp(db: Db): Promise<AttributesTestApp> {
  return buildTestApp(db);
}

export interface TestUser {
  sub: string;
  userId: string;
}

/** A provisioned user (through the one provisioning path), with `roles` granted on top of the default. */
export async function createUser(db: Db, ...roles: string[]): Promise<TestUser> {
  const sub = `user-${randomUUID()}`;
  const { userId } = await resolvePrincipal(
    db,
    { issuer: TEST_ISSUER, subject: sub, email: `${sub}@example.com`, emailVerified: true },
    { jitProvisioning: true },
  );
  for (const role of roles) expect(await grantRole(db, userId, role)).toBe(true);
  return { sub, userId };
}

/** A unique attribute key per test, so tests in one file never share a definition. */
export function uniqueKey(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}
