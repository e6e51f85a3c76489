import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export interface SummaryReport {
  generatedAt: string;
  totalUsers: number;
  openToWork: number;
  /** The last 30 days (UTC), oldest first, today included; days without sign-ups count 0. */
  signUpsPerDay: { date: string; users: number }[];
  /** Users per completeness score (0-100 in steps of 10), every score listed. */
  completeness: { score: number; users: number }[];
  topSkills: { skill: string; users: number }[];
  topCountries: { country: string; users: number }[];
}

export const REPORT_DAYS = 30;
export const REPORT_TOP = 10;

/**
 * GET /v1/reports/summary. Erased users are not counted. Each metric is one
 * SQL statement; the statements run concurrently (one connection each), on
 * the read replica when there is one:
 * - totals, completeness and countries: one pass over the narrow
 *   `user_search` with GROUPING SETS;
 * - sign-ups: a range scan of `user_search_created`;
 * - skills: one aggregate over `user_skills` by `name_key`, then the
 *   display spelling of the ten winners.
 */
export async function summaryReport(db: Kysely<Database>, now: Date = new Date()): Promise<SummaryReport> {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const since = new Date(today - (REPORT_DAYS - 1) * 86_400_000);
  const [grouped, days, skills] = await Promise.all([groupedCounts(db), signUps(db, since), topSkills(db)]);

  const total = grouped.find((r) => r.grouping === 3);
  const byDay = new Map(days.map((d) => [d.day, Number(d.users)]));
  const byScore = new Map(grouped.filter((r) => r.grouping === 2).map((r) => [r.completeness, Number(r.users)]));
  return {
    generatedAt: now.toISOString(),
    totalUsers: Number(total?.users ?? 0),
    openToWork: Number(total?.open_to_work ?? 0),
    signUpsPerDay: Array.from({ length: REPORT_DAYS }, (_, i) => {
      const date = new Date(since.getTime() + i * 86_400_000).toISOString().slice(0, 10);
      return { date, users: byDay.get(date) ?? 0 };
    }),
    completeness: Array.from({ length: 11 }, (_, i) => ({ score: i * 10, users: byScore.get(i * 10) ?? 0 })),
    topSkills: skills,
    topCountries: grouped
      .filter((r) => r.grouping === 1 && r.country !== null)
      .sort((a, b) => Number(b.users) - Number(a.users) || a.country!.localeCompare(b.country!))
      .slice(0, REPORT_TOP)
      .map((r) => ({ country: r.country!.trim(), users: Number(r.users) })),
  };
}

interface GroupedRow {
  /** Bit 1: country rolled up; bit 0: completeness rolled up (3 = the total). */
  grouping: number;
  country: string | null;
  completeness: number | null;
  users: number;
  open_to_work: number;
}

async function groupedCounts(db: Kysely<Database>): Promise<GroupedRow[]> {
  const { rows } = await sql<GroupedRow>`
    select grouping(country, completeness)::int as grouping, country, completeness,
           count(*)::int8 as users, count(*) filter (where open_to_work)::int8 as open_to_work
    from user_search
    where status <> 'erased'
    group by grouping sets ((country), (completeness), ())`.execute(db);
  // grouping(country, completeness): 1 = completeness rolled up (a country row), 2 = a completeness row, 3 = total.
  return rows;
}

async function signUps(db: Kysely<Database>, since: Date): Promise<{ day: string; users: number }[]> {
  const { rows } = await sql<{ day: string; users: number }>`
    select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD') as day, count(*)::int8 as users
    from user_search
    where created_at >= ${since} and status <> 'erased'
    group by 1`.execute(db);
  return rows;
}

async function topSkills(db: Kysely<Database>): Promise<{ skill: string; users: number }[]> {
  const { rows } = await sql<{ name_key: string; users: number; skill: string }>`
    with top as (
      -- A user lists a skill at most once (validation refuses duplicates by name_key), so rows = users.
      select name_key, count(*)::int8 as users
      from user_skills
      group by name_key
      order by users desc, name_key
      limit ${REPORT_TOP}
    )
    select top.name_key, top.users,
           (select k.name from user_skills k where k.name_key = top.name_key limit 1) as skill
    from top
    order by top.users desc, top.name_key`.execute(db);
  return rows.map((r) => ({ skill: r.skill, users: Number(r.users) }));
}
