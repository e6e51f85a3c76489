import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureUser } from '../../../src/users/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Test';

describe('ensureUser', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.drop();
  });

  async function counts(subject: string) {
    const identities = await t.db.selectFrom('identities').select(['user_id']).where('subject', '=', subject).execute();
    const userIds = identities.map((i) => i.user_id);
    const users = userIds.length ? await t.db.selectFrom('users').select('id').where('id', 'in', userIds).execute() : [];
    const profiles = userIds.length ? await t.db.selectFrom('profiles').select('user_id').where('user_id', 'in', userIds).execute() : [];
    const events = userIds.length
      ? await t.db.selectFrom('audit_events').selectAll().where('user_id', 'in', userIds).execute()
      : [];
    return { identities: identities.length, users: users.length, profiles: profiles.length, events };
  }

  it('creates the user, identity, empty profile and one provisioned event', async () => {
    const result = await ensureUser(t.db, { issuer: ISSUER, subject: 'sub-1', email: 'a@example.com', emailVerified: true, source: 'post_confirmation' });
    expect(result.created).toBe(true);
    const c = await counts('sub-1');
    expect(c).toMatchObject({ identities: 1, users: 1, profiles: 1 });
    expect(c.events).toHaveLength(1);
    expect(c.events[0]).toMatchObject({ action: 'user.provisioned', source: 'post_confirmation', version: 1, actor_type: 'system' });
    const user = await t.db.selectFrom('users').selectAll().where('id', '=', result.userId).executeTakeFirstOrThrow();
    expect(user).toMatchObject({ status: 'active', version: 1 });
    // UUID v7: the version nibble is 7.
    expect(result.userId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('is idempotent: a second call returns the same user and writes nothing', async () => {
    const first = await ensureUser(t.db, { issuer: ISSUER, subject: 'sub-2', source: 'post_confirmation' });
    const second = await ensureUser(t.db, { issuer: ISSUER, subject: 'sub-2', source: 'jit' });
    expect(second).toEqual({ userId: first.userId, created: false });
    const c = await counts('sub-2');
    expect(c.identities).toBe(1);
    expect(c.events).toHaveLength(1);
  });

  it('keeps the same subject under different issuers apart, and stores sub verbatim as text', async () => {
    const odd = 'Not-A-UUID:ÄÖ/123';
    const a = await ensureUser(t.db, { issuer: ISSUER, subject: odd, source: 'jit' });
    const b = await ensureUser(t.db, { issuer: 'https://other.example.com', subject: odd, source: 'jit' });
    expect(a.userId).not.toBe(b.userId);
    const rows = await t.db.selectFrom('identities').select('subject').where('subject', '=', odd).execute();
    expect(rows.map((r) => r.subject)).toEqual([odd, odd]);
  });

  it('20 concurrent calls for one identity make one user and one audit event', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        ensureUser(t.db, { issuer: ISSUER, subject: 'sub-concurrent', source: i % 2 ? 'jit' : 'post_confirmation' }),
      ),
    );
    expect(new Set(results.map((r) => r.userId)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const c = await counts('sub-concurrent');
    expect(c).toMatchObject({ identities: 1, users: 1, profiles: 1 });
    expect(c.events).toHaveLength(1);
    const orphans = await t.db
      .selectFrom('users')
      .leftJoin('identities', 'identities.user_id', 'users.id')
      .select('users.id')
      .where('identities.id', 'is', null)
      .execute();
    expect(orphans).toEqual([]);
  });

  it('refuses to change or delete audit events at the database level', async () => {
    await ensureUser(t.db, { issuer: ISSUER, subject: 'sub-audit', source: 'jit' });
    await expect(t.db.updateTable('audit_events').set({ action: 'tampered' }).execute()).rejects.toThrow(/append-only/);
    await expect(t.db.deleteFrom('audit_events').execute()).rejects.toThrow(/append-only/);
  });
});
