import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summaryReport } from '../../../src/admin/index.js';
import { seedUsers } from '../../../src/seed/index.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { actorWith, bearer, type Actor } from './helpers.js';

describe('summary report and audit query', () => {
  let t: TestDatabase;
  let api: TestApp;
  let support: Actor;

  beforeAll(async () => {
    t = await createTestDatabase();
    api = await buildTestApp(t.db);
    await seedUsers(t.url, { users: 1500, seed: 5, batchSize: 500, spanDays: 60 });
    support = await actorWith(t.db, api, ['support']);
  });
  afterAll(async () => {
    await api?.close();
    await t?.drop();
  });

  it('every metric equals a direct count over the source tables', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/v1/reports/summary', headers: bearer(support.token) });
    expect(res.statusCode).toBe(200);
    const report = res.json() as Awaited<ReturnType<typeof summaryReport>>;
    const one = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(t.db)).rows;
    const [{ total, open }] = (await one(sql<{ total: number; open: number }>`
      select count(*)::int as total, count(*) filter (where j.open_to_work)::int as open from users u join job_seeker_profiles j on j.user_id = u.id`)) as [{ total: number; open: number }];
    expect(report.totalUsers).toBe(total);
    expect(report.openToWork).toBe(open);
    expect(report.completeness.reduce((sum, c) => sum + c.users, 0)).toBe(total);
    expect(report.completeness.map((c) => c.score)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(report.signUpsPerDay).toHaveLength(30);
    const days = await one(sql<{ day: string; n: number }>`
      select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD') as day, count(*)::int as n from users
      where created_at >= (date_trunc('day', now() at time zone 'UTC') - interval '29 days') at time zone 'UTC' group by 1`);
    for (const d of report.signUpsPerDay) expect(d.users, d.date).toBe(days.find((x) => x.day === d.date)?.n ?? 0);
    const countries = await one(sql<{ country: string; n: number }>`
      select location_country as country, count(*)::int as n from profiles where location_country is not null group by 1 order by 2 desc, 1 limit 10`);
    expect(report.topCountries).toEqual(countries.map((c) => ({ country: c.country, users: c.n })));
    const skills = await one(sql<{ n: number }>`select count(*)::int as n from user_skills group by name_key order by 1 desc limit 10`);
    expect(report.topSkills.map((s) => s.users)).toEqual(skills.map((s) => s.n));
  });

  it('audit query: filters combine, pages are disjoint and complete, newest first', async () => {
    const all: { id: string; at: string; action: string; actor: { id: string } }[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/audit?actor=seed&limit=100${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
      const res = await api.app.inject({ method: 'GET', url, headers: bearer(support.token) });
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: typeof all; nextCursor: string | null };
      all.push(...body.items);
      cursor = body.nextCursor;
    } while (cursor !== null);
    expect(all).toHaveLength(1500);
    expect(new Set(all.map((e) => e.id)).size).toBe(1500);
    for (let i = 1; i < all.length; i++) expect(all[i - 1]!.at >= all[i]!.at).toBe(true);
    const grants = await api.app.inject({ method: 'GET', url: `/v1/audit?actor=test&action=role.granted&target=${support.userId}`, headers: bearer(support.token) });
    expect(grants.json().items).toHaveLength(1);
    const window = await api.app.inject({ method: 'GET', url: `/v1/audit?action=user.seeded&from=${all[10]!.at}&to=${all[5]!.at}`, headers: bearer(support.token) });
    expect(window.json().items.map((e: { id: string }) => e.id)).toEqual(all.slice(6, 11).map((e) => e.id));
  });
});
