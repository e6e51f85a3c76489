import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChains } from '../../../src/audit/index.js';
import { seedUsers } from '../../../src/seed/index.js';
import { runCli } from '../../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

/** `profile-service seed`: the real entry point, generating on worker threads and inline. */
describe('profile-service seed', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.drop();
  });

  const count = async (table: 'users' | 'user_search' | 'audit_events') =>
    Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(t.db)).rows[0]!.n);

  it('loads complete, verifiable users with generator threads and without', async () => {
    const threads = await runCli(['seed', '--users', '450', '--batch', '100', '--workers', '2'], { DATABASE_URL: t.url });
    expect(threads.code, threads.stderr).toBe(0);
    expect(threads.stdout).toMatch(/Seeded 450 users/);
    const inline = await runCli(['seed', '--users', '250', '--batch', '100', '--workers', '0', '--seed', '9'], { DATABASE_URL: t.url });
    expect(inline.code, inline.stderr).toBe(0);

    expect(await count('users')).toBe(700);
    expect(await count('user_search')).toBe(700);
    expect(await count('audit_events')).toBe(700);
    expect(await verifyAuditChains(t.db)).toMatchObject({ usersChecked: 700, problems: [] });
  });

  it('the same seed and batch size give the same profiles, however many threads make them', async () => {
    const profiles = async (seed: number) => {
      const { rows } = await sql<{ line: string }>`
        select concat_ws('|', i.email, p.given_name, p.family_name, p.headline, j.experience::text) as line
        from identities i join profiles p using (user_id) join job_seeker_profiles j using (user_id)
        where i.issuer = ${`urn:test:seed-${seed}`} order by i.email`.execute(t.db);
      return rows.map((r) => r.line);
    };
    const now = new Date('2026-11-29T12:00:00Z');
    await seedUsers(t.url, { users: 300, batchSize: 70, workers: 3, seed: 11, issuer: 'urn:test:seed-1', now });
    await seedUsers(t.url, { users: 300, batchSize: 70, workers: 0, seed: 11, issuer: 'urn:test:seed-2', now });
    await seedUsers(t.url, { users: 300, batchSize: 70, workers: 0, seed: 12, issuer: 'urn:test:seed-3', now });
    const [one, two, other] = [await profiles(1), await profiles(2), await profiles(3)];
    expect(one).toHaveLength(300);
    expect(two).toEqual(one);
    expect(other).not.toEqual(one);
    // Emails are unique within a run: serials continue across batches.
    expect(new Set(one.map((line) => line.split('|')[0])).size).toBe(300);
  });

  it('a generator thread that fails fails the run, without hanging or loading a partial batch', async () => {
    const before = await count('users');
    // An invalid instant makes the generator throw (RangeError from toISOString) inside the thread.
    await expect(seedUsers(t.url, { users: 500, batchSize: 100, workers: 2, now: new Date(Number.NaN) })).rejects.toThrow(RangeError);
    await expect(seedUsers(t.url, { users: 500, batchSize: 100, workers: 0, now: new Date(Number.NaN) })).rejects.toThrow(RangeError);
    expect(await count('users')).toBe(before);
  });

  it('rejects bad arguments with a non-zero exit', async () => {
    for (const args of [['--users', '0'], ['--users', '10', '--workers', '-1'], ['--users', '10', '--workers', '99'], ['--workers', '1']]) {
      const result = await runCli(['seed', ...args], { DATABASE_URL: t.url });
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stderr).toMatch(/usage: profile-service seed/);
    }
  });
});
