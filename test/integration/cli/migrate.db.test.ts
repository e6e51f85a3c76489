import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createDb } from '../../../src/db/index.js';
import { adminQuery, withDatabase } from '../../helpers/template.js';
import { runCli } from '../../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

const cli = (args: string[], env: Record<string, string>) => runCli(args, env);

describe('profile-service migrate', () => {
  let t: TestDatabase;
  let emptyUrl: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    const name = `empty_${randomBytes(6).toString('hex')}`;
    await adminQuery(withDatabase(t.url, 'postgres'), `create database ${name}`);
    emptyUrl = withDatabase(t.url, name);
  });
  afterAll(async () => {
    await adminQuery(withDatabase(t.url, 'postgres'), `drop database if exists ${new URL(emptyUrl).pathname.slice(1)} with (force)`);
    await t?.drop();
  });

  it('applies every migration to an empty database, then reports it up to date', async () => {
    const first = await cli(['migrate'], { DATABASE_URL: emptyUrl });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/applied: 0001-initial/);
    const db = createDb(emptyUrl);
    const tables = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_name in ('users','identities','profiles','audit_events')`.execute(db);
    await db.destroy();
    expect(tables.rows[0]!.n).toBe(4);

    const second = await cli(['migrate'], { DATABASE_URL: emptyUrl });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/up to date/);
  });

  it('exits non-zero when the database cannot be reached', async () => {
    const result = await cli(['migrate'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
    expect(result.code).not.toBe(0);
  });

  it('exits non-zero with one message naming every bad variable', async () => {
    const result = await cli(['migrate'], { DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/DATABASE_URL/);
    expect(result.stderr).toMatch(/LOG_LEVEL/);
  });

  it('exits 2 with usage for an unknown command', async () => {
    const result = await cli(['frobnicate'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/usage: profile-service/);
  });
});
