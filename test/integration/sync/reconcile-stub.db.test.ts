import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DirectoryPage, DirectoryUser, UserDirectory } from '../../../src/sync/directory.js';
import { reconcile, MassErasureRefusedError, type ReconcileOptions } from '../../../src/sync/reconcile.js';
import { Throttle } from '../../../src/sync/throttle.js';
import { ensureUser } from '../../../src/users/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

/**
 * A stub directory, because cognito-local ignores ListUsers' Limit and
 * PaginationToken (it returns every user in one page): paging and
 * throttling can only be exercised against a stub.
 */
class StubDirectory implements UserDirectory {
  calls = 0;
  throttleOnCall = new Set<number>();
  constructor(
    public users: DirectoryUser[],
    private readonly pageSize = 60,
  ) {}
  async listUsers(token: string | null): Promise<DirectoryPage> {
    this.calls++;
    if (this.throttleOnCall.has(this.calls)) {
      const error = new Error('Rate exceeded');
      error.name = 'TooManyRequestsException';
      throw error;
    }
    const start = token === null ? 0 : Number(token);
    const end = start + this.pageSize;
    return { users: this.users.slice(start, end), nextToken: end < this.users.length ? String(end) : null };
  }
  async findBySub(sub: string) {
    return this.users.find((u) => u.sub === sub) ?? null;
  }
  async deleteUser() {}
}

const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Stub';
const user = (i: number, email = `u${i}@example.com`): DirectoryUser => ({
  username: `user-${i}`,
  sub: `sub-${String(i).padStart(4, '0')}`,
  email,
  emailVerified: true,
  enabled: true,
  status: 'CONFIRMED',
});

function fakeClock() {
  let now = 0;
  return { now: () => now, sleep: async (ms: number) => void (now += ms), elapsed: () => now };
}

describe('reconcile against a stub directory', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.drop();
  });

  const options = (overrides: Partial<ReconcileOptions> = {}): ReconcileOptions => ({
    issuer: ISSUER,
    fix: false,
    dryRun: false,
    rate: 25,
    maxErasures: 10,
    force: false,
    erase: async () => {
      throw new Error('erase must not be called');
    },
    ...overrides,
  });
  const identities = async () =>
    (await t.db.selectFrom('identities').select(['subject', 'email']).where('issuer', '=', ISSUER).orderBy('subject').execute());

  it('pages through the whole pool at the configured rate, riding out throttling, and reports without changing anything', async () => {
    const directory = new StubDirectory(Array.from({ length: 250 }, (_, i) => user(i)));
    directory.throttleOnCall = new Set([2, 3]);
    const clock = fakeClock();
    const throttle = new Throttle({ rate: 10, now: clock.now, sleep: clock.sleep, random: () => 0 });
    const report = await reconcile(t.db, directory, options({ throttle }));
    expect(report).toMatchObject({ mode: 'report', directoryUsers: 250, pages: 5, throttled: 2 });
    expect(report.missingInDatabase).toHaveLength(250);
    expect(report.missingInDatabase.every((m) => !m.fixed)).toBe(true);
    expect(directory.calls).toBe(7);
    // 7 calls at 10/s is at least 600 ms of spacing, plus the backoffs.
    expect(clock.elapsed()).toBeGreaterThanOrEqual(600);
    expect(await identities()).toEqual([]);
  });

  it('--fix provisions the missing, refreshes drift and erases the gone; --dry-run only reports', async () => {
    const directory = new StubDirectory(Array.from({ length: 5 }, (_, i) => user(i)), 2);
    await reconcile(t.db, directory, options({ fix: true }));
    expect((await identities()).map((i) => i.subject)).toEqual(['sub-0000', 'sub-0001', 'sub-0002', 'sub-0003', 'sub-0004']);
    const events = await t.db.selectFrom('audit_events').select('source').where('action', '=', 'user.provisioned').execute();
    expect(events.every((e) => e.source === 'reconcile')).toBe(true);

    directory.users = [user(0, 'changed@example.com'), user(1), user(2), user(3)];
    const erased: string[] = [];
    const dry = await reconcile(t.db, directory, options({ fix: true, dryRun: true, erase: async (id) => void erased.push(id) }));
    expect(dry.mode).toBe('dry-run');
    expect(dry.drifted).toEqual([expect.objectContaining({ sub: 'sub-0000', fields: ['email'], fixed: false })]);
    expect(dry.goneFromDirectory).toEqual([expect.objectContaining({ sub: 'sub-0004', fixed: false })]);
    expect(erased).toEqual([]);
    expect((await identities())[0]!.email).toBe('u0@example.com');

    const fixed = await reconcile(t.db, directory, options({ fix: true, erase: async (id) => void erased.push(id) }));
    expect(fixed.drifted[0]!.fixed).toBe(true);
    expect((await identities())[0]!.email).toBe('changed@example.com');
    expect(erased).toEqual([fixed.goneFromDirectory[0]!.userId]);

    const again = await reconcile(t.db, directory, options({ fix: true, erase: async (id) => void erased.push(id) }));
    expect(again.drifted).toEqual([]);
    expect(again.missingInDatabase).toEqual([]);
  });

  it('refuses a mass erasure above the limit unless forced', async () => {
    const issuer = `${ISSUER}-mass`;
    for (let i = 0; i < 4; i++) await ensureUser(t.db, { issuer, subject: `m${i}`, source: 'cli' });
    const empty = new StubDirectory([]);
    const erased: string[] = [];
    const erase = async (id: string) => void erased.push(id);
    await expect(reconcile(t.db, empty, options({ issuer, fix: true, maxErasures: 3, erase }))).rejects.toBeInstanceOf(MassErasureRefusedError);
    expect(erased).toEqual([]);
    const forced = await reconcile(t.db, empty, options({ issuer, fix: true, maxErasures: 3, force: true, erase }));
    expect(forced.goneFromDirectory).toHaveLength(4);
    expect(erased).toHaveLength(4);
  });
});
