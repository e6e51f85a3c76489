import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  appendAuditEvent,
  AUDIT_VALUES_REDACTED,
  eventHash,
  listAuditEvents,
  redactUserAuditValues,
  verifyAuditChains,
  type AuditProblem,
} from '../../../src/audit/index.js';
import { patchOwnProfile, type Caller } from '../../../src/profiles/index.js';
import { ensureUser } from '../../../src/users/index.js';
import { runCli } from '../../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

const ISSUER = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Audit';
const context = { jitProvisioning: false, requestId: 'req-audit' };

describe('audit hash chain', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.drop();
  });

  function callerFor(subject: string): Caller {
    return { issuer: ISSUER, subject, email: null, emailVerified: null };
  }

  /** A user provisioned and then patched `patches.length` times through the real paths: seq 1..n+1. */
  async function userWithHistory(patches: Record<string, unknown>[]): Promise<string> {
    const subject = `sub-${randomUUID()}`;
    const { userId } = await ensureUser(t.db, { issuer: ISSUER, subject, source: 'post_confirmation' });
    for (const profile of patches) await patchOwnProfile(t.db, callerFor(subject), { profile }, null, context);
    return userId;
  }

  const HISTORY = [
    { givenName: 'Ada', dateOfBirth: '1990-12-10', location: { country: 'GB' } },
    { familyName: 'Lovelace' },
    { givenName: 'Augusta' },
  ];

  async function eventId(userId: string, seq: number): Promise<string> {
    const row = await t.db.selectFrom('audit_events').select('id').where('user_id', '=', userId).where('seq', '=', seq).executeTakeFirstOrThrow();
    return row.id;
  }

  /** Runs `sql` as the database superuser with the triggers (append-only, foreign keys) switched off for that session only. */
  async function tamper(sql: string, params: unknown[]): Promise<void> {
    const client = new pg.Client({ connectionString: t.url });
    await client.connect();
    try {
      await client.query('set session_replication_role = replica');
      const result = await client.query(sql, params);
      expect(result.rowCount).toBe(1);
    } finally {
      await client.end();
    }
  }

  async function problemsOf(userId: string): Promise<Pick<AuditProblem, 'userId' | 'seq' | 'reason'>[]> {
    const { problems } = await verifyAuditChains(t.db, { userId });
    return problems.map(({ userId: u, seq, reason }) => ({ userId: u, seq, reason }));
  }

  /** `profile-service audit …`: the real CLI entry point in a child process. */
  const cli = (args: string[]) => runCli(['audit', ...args], { DATABASE_URL: t.url });

  describe('an untouched trail', () => {
    let userId: string;
    beforeAll(async () => {
      userId = await userWithHistory(HISTORY);
    });

    it('chains the events from the provisioning and profile paths: seq from 1, each prev_hash the previous hash', async () => {
      const rows = await t.db.selectFrom('audit_events').selectAll().where('user_id', '=', userId).orderBy('seq').execute();
      expect(rows.map((r) => [r.seq, r.version, r.action])).toEqual([
        [1, 1, 'user.provisioned'],
        [2, 2, 'profile.updated'],
        [3, 3, 'profile.updated'],
        [4, 4, 'profile.updated'],
      ]);
      expect(rows[0]!.prev_hash).toBe('0'.repeat(64));
      for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
    });

    it('stores digests in the chain and the values beside it', async () => {
      const event = await t.db.selectFrom('audit_events').selectAll().where('user_id', '=', userId).where('seq', '=', 2).executeTakeFirstOrThrow();
      // As JSON strings (quoted): a random base64url digest can contain "GB", never a quote.
      for (const value of ['Ada', '1990-12-10', 'GB']) expect(JSON.stringify(event.changes)).not.toContain(JSON.stringify(value));
      expect(event.changes).toContainEqual({ path: '/profile/givenName', from: expect.stringMatching(/^[\w-]{43}$/), to: expect.stringMatching(/^[\w-]{43}$/) });
      const values = await t.db.selectFrom('audit_values').selectAll().where('event_id', '=', event.id).orderBy('position').execute();
      expect(values).toHaveLength(event.changes.length);
      expect(values.map((v) => v.to_value)).toEqual(expect.arrayContaining(['Ada', '1990-12-10', 'GB']));
      const keys = await t.db.selectFrom('audit_keys').select('key').where('user_id', '=', userId).execute();
      expect(keys).toHaveLength(1);
      expect(keys[0]!.key).toHaveLength(32);
    });

    it('lists events newest first with their values and seq, and pages with beforeSeq', async () => {
      const events = await listAuditEvents(t.db, userId, { limit: 2 });
      expect(events.map((e) => e.seq)).toEqual([4, 3]);
      expect(events[0]!.changes).toEqual([{ path: '/profile/givenName', from: 'Ada', to: 'Augusta', redacted: false }]);
      const older = await listAuditEvents(t.db, userId, { limit: 2, beforeSeq: events[1]!.seq });
      expect(older.map((e) => [e.seq, e.action])).toEqual([
        [2, 'profile.updated'],
        [1, 'user.provisioned'],
      ]);
      expect(older[0]!.changes).toContainEqual({ path: '/profile/dateOfBirth', from: null, to: '1990-12-10', redacted: false });
    });

    it('verifies, for the whole database and for one user', async () => {
      const all = await verifyAuditChains(t.db);
      expect(all.problems).toEqual([]);
      expect(all.usersChecked).toBeGreaterThanOrEqual(1);
      expect(all.eventsChecked).toBeGreaterThanOrEqual(4);
      expect(await verifyAuditChains(t.db, { userId })).toEqual({ usersChecked: 1, eventsChecked: 4, problems: [] });
    });

    it('verifies across page and chunk boundaries', async () => {
      await Promise.all([1, 2, 3].map(() => userWithHistory([{ headline: 'x' }, { headline: 'y' }])));
      const paged = await verifyAuditChains(t.db, { pageSize: 1, chunkSize: 2 });
      const whole = await verifyAuditChains(t.db);
      expect(paged).toEqual(whole);
      expect(paged.problems).toEqual([]);
    });

    it('the CLI exits 0 and prints a summary', async () => {
      const result = await cli(['verify']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/every chain verifies/);
    });

    it('still refuses to update or delete events for the application', async () => {
      await expect(t.db.updateTable('audit_events').set({ action: 'x' }).where('user_id', '=', userId).execute()).rejects.toThrow(/append-only/);
      await expect(t.db.deleteFrom('audit_events').where('user_id', '=', userId).execute()).rejects.toThrow(/append-only/);
    });

    it('refuses a hash or prev_hash that is not exactly 64 lower-case hex digits', async () => {
      const good = 'a'.repeat(64);
      const insert = (prevHash: string, hash: string) =>
        sql`insert into audit_events (user_id, occurred_at, actor_type, actor_id, source, action, version, changes, seq, prev_hash, hash)
            values (${randomUUID()}, date_trunc('milliseconds', now()), 'system', 'test', 'test', 'test.hash', 1, '[]'::jsonb, 1, ${prevHash}, ${hash})`.execute(t.db);
      for (const bad of ['A'.repeat(64), 'a'.repeat(63), 'a'.repeat(65), `${'a'.repeat(63)}g`, `${'a'.repeat(63)}é`, `${'a'.repeat(62)}\n`, '']) {
        await expect(insert(good, bad), JSON.stringify(bad)).rejects.toMatchObject({ code: '23514', constraint: 'audit_events_hash_check' });
        await expect(insert(bad, good), JSON.stringify(bad)).rejects.toMatchObject({ code: '23514', constraint: 'audit_events_prev_hash_check' });
      }
      await expect(insert(good, '0123456789abcdef'.repeat(4))).resolves.toBeDefined();
    });
  });

  describe('tampering as the database superuser is detected', () => {
    it('(a) a changed action: hash_mismatch at that seq', async () => {
      const userId = await userWithHistory(HISTORY);
      await tamper(`update audit_events set action = 'profile.viewed' where id = $1`, [await eventId(userId, 2)]);
      expect(await problemsOf(userId)).toEqual([{ userId, seq: 2, reason: 'hash_mismatch' }]);
    });

    it('(a′) a changed action with its own hash recomputed: the next link breaks', async () => {
      const userId = await userWithHistory(HISTORY);
      const row = await t.db.selectFrom('audit_events').selectAll().where('user_id', '=', userId).where('seq', '=', 2).executeTakeFirstOrThrow();
      const forged = eventHash({
        userId,
        seq: 2,
        prevHash: row.prev_hash,
        occurredAt: row.occurred_at,
        actor: { type: row.actor_type, id: row.actor_id },
        source: row.source,
        action: 'profile.viewed',
        version: row.version,
        requestId: row.request_id,
        changes: row.changes,
      });
      await tamper(`update audit_events set action = 'profile.viewed', hash = $2 where id = $1`, [row.id, forged]);
      expect(await problemsOf(userId)).toEqual([{ userId, seq: 3, reason: 'prev_hash_mismatch' }]);
    });

    it('(b) a deleted middle event: seq_gap at the missing seq', async () => {
      const userId = await userWithHistory(HISTORY);
      await tamper(`delete from audit_events where id = $1`, [await eventId(userId, 2)]);
      expect(await problemsOf(userId)).toEqual([{ userId, seq: 2, reason: 'seq_gap' }]);
    });

    it('(c) a changed value in audit_values: value_mismatch at that seq', async () => {
      const userId = await userWithHistory(HISTORY);
      await tamper(`update audit_values set to_value = '"1980-01-01"' where event_id = $1 and to_value = '"1990-12-10"'`, [await eventId(userId, 2)]);
      expect(await problemsOf(userId)).toEqual([{ userId, seq: 2, reason: 'value_mismatch' }]);
    });

    it('(d) a deleted tail event: version_mismatch at the missing seq', async () => {
      const userId = await userWithHistory(HISTORY);
      await tamper(`delete from audit_events where id = $1`, [await eventId(userId, 4)]);
      expect(await problemsOf(userId)).toEqual([{ userId, seq: 4, reason: 'version_mismatch' }]);
    });

    it('values or the key deleted without a recorded redaction', async () => {
      const valuesGone = await userWithHistory(HISTORY);
      await tamper(`delete from audit_values where event_id = $1 and position = 0`, [await eventId(valuesGone, 3)]);
      expect(await problemsOf(valuesGone)).toEqual([{ userId: valuesGone, seq: 3, reason: 'value_missing' }]);

      const keyGone = await userWithHistory([{ headline: 'a' }]);
      await tamper(`delete from audit_keys where user_id = $1`, [keyGone]);
      // Every event that recorded values (provisioning may record some too) is now uncheckable.
      const withValues = await t.db
        .selectFrom('audit_events')
        .select('seq')
        .where('user_id', '=', keyGone)
        .where(sql<boolean>`jsonb_array_length(changes) > 0`)
        .orderBy('seq')
        .execute();
      expect(withValues.map((r) => r.seq)).toContain(2);
      expect(await problemsOf(keyGone)).toEqual(withValues.map(({ seq }) => ({ userId: keyGone, seq, reason: 'key_missing' })));
    });

    it('rows holding what no JSON value can be (a number beyond a double) are reported, not fatal', async () => {
      const userId = await userWithHistory([{ headline: 'a' }, { headline: 'b' }]);
      await tamper(`update audit_values set to_value = '1e400' where event_id = $1`, [await eventId(userId, 2)]);
      await tamper(`update audit_events set changes = '[{"path":"/x","from":1e400,"to":"a"}]' where id = $1`, [await eventId(userId, 3)]);
      const { problems } = await verifyAuditChains(t.db, { userId });
      expect(problems.map(({ seq, reason }) => [seq, reason])).toEqual([
        [2, 'value_mismatch'],
        [3, 'hash_mismatch'],
        [3, 'value_mismatch'], // its held value no longer matches the (rewritten) digest either
      ]);
      expect(problems.map((p) => p.detail).join('\n')).toMatch(/cannot be (digested|hashed)/);
    });

    it('a user without any event: chain_missing', async () => {
      const { userId } = await ensureUser(t.db, { issuer: ISSUER, subject: `sub-${randomUUID()}`, source: 'cli' });
      await tamper(`delete from audit_events where user_id = $1`, [userId]);
      expect(await problemsOf(userId)).toEqual([{ userId, seq: null, reason: 'chain_missing' }]);
    });

    it('the whole-database run reports every broken chain, and the CLI exits non-zero', async () => {
      const { problems } = await verifyAuditChains(t.db);
      expect(problems.length).toBeGreaterThanOrEqual(8);
      expect(new Set(problems.map((p) => p.reason))).toEqual(
        new Set(['hash_mismatch', 'prev_hash_mismatch', 'seq_gap', 'value_mismatch', 'version_mismatch', 'value_missing', 'key_missing', 'chain_missing']),
      );

      const text = await cli(['verify']);
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(new RegExp(`${problems.length} problem\\(s\\)`));
      for (const p of problems) expect(text.stdout).toContain(`user ${p.userId} ${p.seq === null ? 'chain' : `seq ${p.seq}`}: ${p.reason}`);
      expect(text.stderr).toMatch(/problem\(s\) found/);

      const json = await cli(['verify', '--json']);
      expect(json.code).toBe(1);
      const report = JSON.parse(json.stdout) as { problems: AuditProblem[] };
      expect(report.problems.map((p) => [p.userId, p.seq, p.reason])).toEqual(problems.map((p) => [p.userId, p.seq, p.reason]));

      const oneBroken = problems.find((p) => p.reason === 'seq_gap')!.userId;
      const broken = await cli(['verify', '--user', oneBroken, '--json']);
      expect(broken.code).toBe(1);
      expect(JSON.parse(broken.stdout)).toMatchObject({ usersChecked: 1, problems: [{ userId: oneBroken, seq: 2, reason: 'seq_gap' }] });

      const clean = await userWithHistory([{ headline: 'fine' }]);
      expect((await cli(['verify', '--user', clean])).code).toBe(0);
    });

    it('the CLI rejects bad arguments and an unknown user with a non-zero exit', async () => {
      expect((await cli(['verify', '--user', 'nope'])).code).toBe(1);
      expect((await cli(['verify', '--frobnicate'])).code).toBe(1);
      expect((await cli(['check'])).code).toBe(1);
      const unknown = await cli(['verify', '--user', randomUUID()]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/ERR_USER_NOT_FOUND/);
    });
  });

  describe('erasure', () => {
    it('redactUserAuditValues deletes values and key, records itself in the chain, and verify still passes', async () => {
      const userId = await userWithHistory(HISTORY);
      const valuesBefore = await t.db
        .selectFrom('audit_values')
        .select('event_id')
        .where('event_id', 'in', (eb) => eb.selectFrom('audit_events').select('id').where('user_id', '=', userId))
        .execute();
      expect(valuesBefore.length).toBeGreaterThan(0);

      const result = await t.db.transaction().execute((trx) =>
        redactUserAuditValues(trx, userId, { actor: { type: 'admin', id: 'ops@example.com' }, source: 'cli', requestId: 'erase-1' }),
      );
      expect(result.valuesDeleted).toBe(valuesBefore.length);
      expect(result.event).toMatchObject({ seq: 5 });

      expect(await t.db.selectFrom('audit_keys').select('user_id').where('user_id', '=', userId).execute()).toEqual([]);
      expect(await problemsOf(userId)).toEqual([]);

      const events = await listAuditEvents(t.db, userId);
      expect(events[0]).toMatchObject({ seq: 5, action: AUDIT_VALUES_REDACTED, version: 4, actor: { type: 'admin' }, changes: [] });
      const birth = events.find((e) => e.seq === 2)!.changes.find((c) => c.path === '/profile/dateOfBirth');
      expect(birth).toEqual({ path: '/profile/dateOfBirth', from: null, to: null, redacted: true });
      for (const value of ['Ada', 'Lovelace', '1990-12-10', 'GB']) expect(JSON.stringify(events)).not.toContain(JSON.stringify(value));

      // Later changes are recorded (and verifiable) again, under a new key.
      await patchOwnProfile(t.db, callerFor((await subjectOf(userId))!), { profile: { headline: 'After' } }, null, context);
      expect(await problemsOf(userId)).toEqual([]);
      const latest = (await listAuditEvents(t.db, userId, { limit: 1 }))[0]!;
      expect(latest.changes).toEqual([{ path: '/profile/headline', from: null, to: 'After', redacted: false }]);
    });
  });

  async function subjectOf(userId: string): Promise<string | undefined> {
    const row = await t.db.selectFrom('identities').select('subject').where('user_id', '=', userId).executeTakeFirst();
    return row?.subject;
  }

  describe('concurrency', () => {
    it('20 concurrent PATCHes for one user keep one continuous chain', async () => {
      const subject = `sub-${randomUUID()}`;
      const { userId } = await ensureUser(t.db, { issuer: ISSUER, subject, source: 'jit' });
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => patchOwnProfile(t.db, callerFor(subject), { profile: { headline: `h${i}` } }, null, context)),
      );
      const rows = await t.db.selectFrom('audit_events').select(['seq', 'version']).where('user_id', '=', userId).orderBy('seq').execute();
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
      expect(rows.map((r) => r.version)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
      expect(await problemsOf(userId)).toEqual([]);
    });

    it('appends serialise even for a caller that holds no row lock', async () => {
      // A chain without a users row (as after a user's deletion): only the chain lock orders these.
      const userId = randomUUID();
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          appendAuditEvent(t.db, {
            userId,
            actor: { type: 'system', id: 'test' },
            source: 'test',
            action: 'test.appended',
            version: i + 1,
            changes: [{ path: '/n', from: null, to: i }],
          }),
        ),
      );
      const seqs = await t.db.selectFrom('audit_events').select('seq').where('user_id', '=', userId).orderBy('seq').execute();
      expect(seqs.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(await verifyAuditChains(t.db, { userId })).toEqual({ usersChecked: 1, eventsChecked: 20, problems: [] });
    });
  });
});
