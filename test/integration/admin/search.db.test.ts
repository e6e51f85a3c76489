import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantRoleToUser } from '../../../src/access/index.js';
import { verifyAuditChains } from '../../../src/audit/index.js';
import { patchProfile } from '../../../src/profiles/index.js';
import { seedUsers } from '../../../src/seed/index.js';
import { ensureUser } from '../../../src/users/index.js';
import { buildTestApp, TEST_ISSUER, type TestApp } from '../../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { actorWith, bearer, type Actor } from './helpers.js';

/** A user as the brute-force filter sees them, read from the source tables (not from user_search). */
interface Person {
  id: string;
  micros: number;
  email: string | null;
  givenName: string | null;
  familyName: string | null;
  country: string | null;
  openToWork: boolean;
  skills: string[];
  roles: string[];
}

const SEEDED = 3000;

describe('admin search on a seeded dataset', () => {
  let t: TestDatabase;
  let api: TestApp;
  let support: Actor;
  let people: Person[];

  beforeAll(async () => {
    t = await createTestDatabase();
    api = await buildTestApp(t.db);
    const result = await seedUsers(t.url, { users: SEEDED, batchSize: 700, seed: 42 });
    expect(result.users).toBe(SEEDED);
    support = await actorWith(t.db, api, ['support']);
    // A few users through the ordinary paths (triggers keep user_search current).
    const seeded = await t.db.selectFrom('users').select('id').orderBy('id').limit(5).execute();
    for (const { id } of seeded.slice(0, 3)) await grantRoleToUser(t.db, id, 'support', { type: 'system', id: 'test' }, { source: 'test' });
    const { userId } = await ensureUser(t.db, { issuer: TEST_ISSUER, subject: `s-${randomUUID()}`, email: 'Jonathan.Archibald@Example.com', source: 'cli' });
    await patchProfile(
      t.db,
      { userId },
      { profile: { givenName: 'Jonathan', familyName: 'Archibald', headline: 'Marine biologist', location: { country: 'NZ' } }, jobSeeker: { openToWork: true, skills: [{ name: 'Scuba' }] } },
      null,
      { actor: { type: 'admin', id: 'test' }, audience: 'admin', requestId: null },
    );
    people = await loadPeople();
  });
  afterAll(async () => {
    await api?.close();
    await t?.drop();
  });

  async function loadPeople(): Promise<Person[]> {
    const { rows } = await sql<Person>`
      select u.id, (extract(epoch from u.created_at) * 1000000)::int8 as micros,
             (select email from identities i where i.user_id = u.id order by created_at, id limit 1) as email,
             p.given_name as "givenName", p.family_name as "familyName", p.location_country as country, j.open_to_work as "openToWork",
             array(select name from user_skills s where s.user_id = u.id) as skills,
             array(select role from user_roles r where r.user_id = u.id) as roles
      from users u join profiles p on p.user_id = u.id join job_seeker_profiles j on j.user_id = u.id`.execute(t.db);
    return rows.map((r) => ({ ...r, micros: Number(r.micros), country: r.country?.trim() ?? null }));
  }

  /** Newest first, ties by id: the order the API promises. */
  const ordered = (list: Person[]) =>
    [...list].sort((a, b) => b.micros - a.micros || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).map((p) => p.id);

  async function allPages(query: string, limit = 100): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 1000; page++) {
      const url: string = `/v1/users?${query}&limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
      const res = await api.app.inject({ method: 'GET', url, headers: bearer(support.token) });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { items: { id: string }[]; nextCursor: string | null };
      ids.push(...body.items.map((i) => i.id));
      cursor = body.nextCursor;
      if (cursor === null) return ids;
    }
    throw new Error('too many pages');
  }

  const sample = () => people.find((p) => p.country === 'US' && p.openToWork && p.skills.length > 0)!;
  const from = new Date(Date.now() - 200 * 86_400_000);
  const to = new Date(Date.now() - 100 * 86_400_000);

  const cases: { name: string; query: () => string; expected: (p: Person) => boolean }[] = [
    { name: 'no filter', query: () => '', expected: () => true },
    { name: 'country', query: () => 'country=gb', expected: (p) => p.country === 'GB' },
    { name: 'openToWork=true', query: () => 'openToWork=true', expected: (p) => p.openToWork },
    { name: 'openToWork=false', query: () => 'openToWork=false', expected: (p) => !p.openToWork },
    { name: 'skill (any case)', query: () => 'skill=PYTHON', expected: (p) => p.skills.some((s) => s.toLowerCase() === 'python') },
    { name: 'role', query: () => 'role=support', expected: (p) => p.roles.includes('support') },
    { name: 'email (any case)', query: () => `email=${encodeURIComponent(sample().email!.toUpperCase())}`, expected: (p) => p.email?.toLowerCase() === sample().email!.toLowerCase() },
    {
      name: 'created range',
      query: () => `createdFrom=${from.toISOString()}&createdTo=${to.toISOString()}`,
      expected: (p) => p.micros >= from.getTime() * 1000 && p.micros < to.getTime() * 1000,
    },
    {
      name: 'country + openToWork + skill',
      query: () => `country=US&openToWork=true&skill=${encodeURIComponent(sample().skills[0]!)}`,
      expected: (p) => p.country === 'US' && p.openToWork && p.skills.includes(sample().skills[0]!),
    },
    {
      name: 'created range + country + role',
      query: () => `createdFrom=${from.toISOString().slice(0, 10)}&country=DE&role=job_seeker`,
      expected: (p) => p.micros >= Date.parse(from.toISOString().slice(0, 10)) * 1000 && p.country === 'DE' && p.roles.includes('job_seeker'),
    },
  ];

  it.each(cases)('$name equals a brute-force filter, in order, across pages', async ({ query, expected }) => {
    const want = ordered(people.filter(expected));
    const got = await allPages(query(), 97);
    expect(got).toEqual(want);
  });

  it('free text: substrings of names, email and headline, any case', async () => {
    const smiths = people.filter((p) => p.familyName === 'Smith').map((p) => p.id);
    expect(smiths.length).toBeGreaterThan(5);
    const got = new Set(await allPages('q=SMITH'));
    for (const id of smiths) expect(got.has(id)).toBe(true);
    expect(await allPages('q=marine%20biolog')).toHaveLength(1);
    // An email matches as a substring; other users sharing its words may also come close enough.
    const archibald = people.find((p) => p.familyName === 'Archibald')!.id;
    expect(await allPages('q=jonathan.archibald%40example')).toContain(archibald);
  });

  it('free text tolerates typos', async () => {
    const smiths = people.filter((p) => p.familyName === 'Smith').map((p) => p.id);
    const typo = new Set(await allPages('q=smiht'));
    for (const id of smiths) expect(typo.has(id)).toBe(true);
    const archibald = people.find((p) => p.familyName === 'Archibald')!.id;
    expect(await allPages('q=Jonathon%20Archibld')).toContain(archibald);
    expect(await allPages('q=archibald%20jonathan')).toContain(archibald);
    expect(await allPages('q=zzqxw')).toEqual([]);
  });

  it('free text combines with filters', async () => {
    const want = ordered(people.filter((p) => p.familyName === 'Smith' && p.country === 'GB'));
    const got = await allPages('q=smith&country=GB');
    for (const id of want) expect(got).toContain(id);
    for (const id of got) expect(people.find((p) => p.id === id)!.country).toBe('GB');
  });

  it('free text gives the same pages whether the first step fills them or the index step completes them', async () => {
    const { searchUsers } = await import('../../../src/admin/index.js');
    const queries = [
      { q: 'smith' },
      { q: 'smiht', openToWork: true },
      { q: 'jonathon archibld' },
      { q: 'engineer', country: 'DE', skill: 'sql' },
      { q: 'sharma', role: 'job_seeker' },
      { q: 'zzqxw' },
    ];
    for (const query of queries) {
      for (const limit of [7, 40]) {
        const collect = async (windowRows: number) => {
          const ids: string[] = [];
          let cursor: string | undefined;
          do {
            const page = await searchUsers(t.db, { ...query, limit, cursor }, { windowRows });
            ids.push(...page.items.map((i) => i.id));
            cursor = page.nextCursor ?? undefined;
          } while (cursor !== undefined);
          return ids;
        };
        const reference = await collect(1_000_000);
        expect(await collect(25), JSON.stringify(query)).toEqual(reference);
        expect(await collect(3), JSON.stringify(query)).toEqual(reference);
      }
    }
  });

  it('rejects what it cannot serve: a short q, a foreign cursor, a limit over 100', async () => {
    for (const url of ['/v1/users?q=ab', '/v1/users?cursor=bm9wZQ', '/v1/users?limit=101', '/v1/users?country=GBR']) {
      const res = await api.app.inject({ method: 'GET', url, headers: bearer(support.token) });
      expect(res.statusCode, url).toBe(400);
    }
  });

  it('pagination neither repeats nor skips rows while users are inserted concurrently', async () => {
    const before = ordered(people.filter((p) => p.openToWork));
    const inserting = (async () => {
      await seedUsers(t.url, { users: 600, batchSize: 100, concurrency: 1, seed: 7 });
      for (let i = 0; i < 20; i++) await ensureUser(t.db, { issuer: TEST_ISSUER, subject: `c-${randomUUID()}`, source: 'cli' });
    })();
    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/users?openToWork=true&limit=25${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
      const res = await api.app.inject({ method: 'GET', url, headers: bearer(support.token) });
      const body = res.json() as { items: { id: string }[]; nextCursor: string | null };
      pages.push(...body.items.map((i) => i.id));
      cursor = body.nextCursor;
      await new Promise((resolve) => setImmediate(resolve));
    } while (cursor !== null);
    await inserting;
    expect(new Set(pages).size).toBe(pages.length);
    const seen = new Set(pages);
    expect(before.filter((id) => !seen.has(id))).toEqual([]);
    // And the relative order of the rows that existed before is the promised one.
    expect(pages.filter((id) => before.includes(id))).toEqual(before);
  });

  it('seeded users pass audit verification and their search rows equal the view', async () => {
    const report = await verifyAuditChains(t.db);
    expect(report.problems).toEqual([]);
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from (
        select user_id, created_at, status, email_key, search_text, name_tokens, skills, country, open_to_work, completeness from user_search
        except
        select user_id, created_at, status, email_key, search_text, name_tokens, skills, country, open_to_work, completeness from user_search_source
      ) d`.execute(t.db);
    expect(rows[0]!.n).toBe(0);
    const missing = await sql<{ n: number }>`
      select count(*)::int as n from (select distinct unnest(name_tokens) as w from user_search) t
      where not exists (select 1 from search_words s where s.word = t.w)`.execute(t.db);
    expect(missing.rows[0]!.n).toBe(0);
    const counts = await sql<{ a: number; b: number }>`select (select count(*) from user_search)::int as a, (select count(*) from users)::int as b`.execute(t.db);
    expect(counts.rows[0]!.a).toBe(counts.rows[0]!.b);
  });
});
