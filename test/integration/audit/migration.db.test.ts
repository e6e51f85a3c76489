import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { appendAuditEvent, listAuditEvents, verifyAuditChains } from '../../../src/audit/index.js';
import { createDb, createMigrator, migrateToLatest, type Db } from '../../../src/db/index.js';
import { adminQuery, withDatabase } from '../../helpers/template.js';

/**
 * 0003 on a database that already has a 0001/0002-style trail: values inline
 * in `changes`, no chain, occurred_at from the database clock (microseconds).
 */
describe('migration 0003-audit-chain', () => {
  const { adminUrl } = inject('database');
  const name = `audit_mig_${randomBytes(6).toString('hex')}`;
  let db: Db;

  const ada = randomUUID();
  const bob = randomUUID();
  const erased = randomUUID(); // a chain whose user row is gone
  const legacy = [
    { user: ada, version: 1, action: 'user.provisioned', changes: [] },
    { user: ada, version: 2, action: 'profile.updated', changes: [
      { path: '/profile/givenName', from: null, to: 'Ada' },
      { path: '/profile/dateOfBirth', from: null, to: '1990-12-10' },
      { path: '/jobSeeker/desiredTitles', from: [], to: ['Analyst', 'Programmer'] },
      { path: '/attributes/salary', from: null, to: { min: 1.5, currency: 'GBP', nested: { b: 2, a: 1 } } },
    ] },
    { user: ada, version: 3, action: 'profile.updated', changes: [{ path: '/profile/givenName', from: 'Ada', to: 'Augusta' }] },
    { user: bob, version: 1, action: 'user.provisioned', changes: [] },
    { user: erased, version: 1, action: 'user.provisioned', changes: [] },
    { user: erased, version: 2, action: 'profile.updated', changes: [{ path: '/profile/headline', from: null, to: 'Gone' }] },
  ];

  beforeAll(async () => {
    await adminQuery(adminUrl, `create database ${name}`);
    db = createDb(withDatabase(adminUrl, name));
    const result = await createMigrator(db).migrateTo('0002-complete-profile');
    expect(result.error).toBeUndefined();

    await sql`insert into users (id, version) values (${ada}, 3), (${bob}, 1)`.execute(db);
    // Inserted out of order on purpose: the chain follows (version, id), not insertion.
    for (const e of [...legacy].reverse()) {
      await sql`
        insert into audit_events (user_id, actor_type, actor_id, source, action, version, request_id, changes)
        values (${e.user}, 'user', ${e.user}, 'api', ${e.action}, ${e.version}, null, ${JSON.stringify(e.changes)}::jsonb)`.execute(db);
    }
    await migrateToLatest(db);
  });
  afterAll(async () => {
    await db?.destroy();
    await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
  });

  it('chains the existing events per user in version order, and they verify', async () => {
    const rows = await db.selectFrom('audit_events').select(['user_id', 'seq', 'version']).orderBy('user_id').orderBy('seq').execute();
    for (const user of [ada, bob, erased]) {
      const chain = rows.filter((r) => r.user_id === user);
      expect(chain.map((r) => r.seq)).toEqual(chain.map((_, i) => i + 1));
      expect(chain.map((r) => r.version)).toEqual(chain.map((_, i) => i + 1));
    }
    expect(await verifyAuditChains(db)).toEqual({ usersChecked: 3, eventsChecked: legacy.length, problems: [] });
  });

  it('moves the values to audit_values and leaves only digests in the chain', async () => {
    const events = await db.selectFrom('audit_events').select('changes').execute();
    for (const e of events) for (const c of e.changes) expect([c.from, c.to]).toEqual([expect.stringMatching(/^[\w-]{43}$/), expect.stringMatching(/^[\w-]{43}$/)]);
    // As JSON strings (quoted): a base64url digest can contain "GBP" by chance, never a quote.
    for (const value of ['Ada', '1990-12-10', 'Analyst', 'GBP']) expect(JSON.stringify(events)).not.toContain(JSON.stringify(value));

    const read = await listAuditEvents(db, ada);
    expect(read.map((e) => e.changes)).toEqual([
      [{ path: '/profile/givenName', from: 'Ada', to: 'Augusta', redacted: false }],
      legacy[1]!.changes.map((c) => ({ ...c, redacted: false })),
      [],
    ]);
    const keys = await db.selectFrom('audit_keys').select('user_id').orderBy('user_id').execute();
    expect(keys.map((k) => k.user_id).sort()).toEqual([ada, erased].sort()); // bob recorded no values
  });

  it('keeps occurred_at at millisecond precision and the table append-only', async () => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from audit_events where occurred_at <> date_trunc('milliseconds', occurred_at)`.execute(db);
    expect(rows[0]!.n).toBe(0);
    await expect(db.updateTable('audit_events').set({ action: 'x' }).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('audit_events').execute()).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_events cascade`.execute(db)).rejects.toThrow(/append-only/);
  });

  it('new events continue the migrated chains', async () => {
    const appended = await appendAuditEvent(db, {
      userId: ada,
      actor: { type: 'user', id: ada },
      source: 'api',
      action: 'profile.updated',
      version: 4,
      changes: [{ path: '/profile/headline', from: null, to: 'Countess' }],
    });
    expect(appended.seq).toBe(4);
    await db.updateTable('users').set({ version: 4 }).where('id', '=', ada).execute();
    expect((await verifyAuditChains(db)).problems).toEqual([]);
  });

  it('down puts the values back inline; up again re-chains them', async () => {
    const down = await createMigrator(db).migrateTo('0002-complete-profile');
    expect(down.error).toBeUndefined();
    const { rows } = await sql<{ changes: unknown }>`select changes from audit_events where user_id = ${ada} and version = 2`.execute(db);
    expect(rows[0]!.changes).toEqual(legacy[1]!.changes);

    await migrateToLatest(db);
    expect(await verifyAuditChains(db)).toMatchObject({ usersChecked: 3, problems: [] });
  });
});
