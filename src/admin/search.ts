import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, UserStatus } from '../db/schema.js';
import { MalformedInputError } from '../errors.js';
import { decodeCursor, encodeCursor } from './cursor.js';

export interface UserSearchQuery {
  /** Free text over names, display name, email and headline: substring or trigram word similarity. */
  q?: string | undefined;
  /** Exact, case-insensitive, against the user's first identity. */
  email?: string | undefined;
  role?: string | undefined;
  openToWork?: boolean | undefined;
  /** Exact, case-insensitive skill name. */
  skill?: string | undefined;
  /** ISO 3166-1 alpha-2, any case. */
  country?: string | undefined;
  /** Inclusive. */
  createdFrom?: Date | undefined;
  /** Exclusive. */
  createdTo?: Date | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface UserSummary {
  id: string;
  status: UserStatus;
  createdAt: string;
  email: string | null;
  givenName: string | null;
  familyName: string | null;
  displayName: string | null;
  headline: string | null;
  country: string | null;
  openToWork: boolean;
  completeness: number;
  roles: string[];
}

export interface UserSearchPage {
  items: UserSummary[];
  nextCursor: string | null;
}

export const SEARCH_MAX_LIMIT = 100;

/** Query words, at most; more are ignored. */
export const MAX_QUERY_WORDS = 8;
/** Dictionary words a query word may expand to (the closest ones). */
export const MAX_SIMILAR_WORDS = 50;

const TRIGRAM_RUN = /[\p{L}\p{N}]{3}/u;

/**
 * Admin search. Every filter is ANDed; the order is always newest first,
 * (created_at, user_id) descending, a total order, so keyset pagination
 * neither repeats nor skips a row however rows are inserted meanwhile. Runs
 * on the read replica when there is one. Finds the page's ids in
 * `user_search` (indexes: docs/admin.md), then reads their display fields
 * by primary key.
 *
 * Free text is answered in at most two steps, so that its cost does not
 * hang on the planner's guess of how many users match (pattern and array
 * estimates are rough): first the newest WINDOW_ROWS users that pass the
 * other filters are checked, walking the order's index; a common word fills
 * the page there. Only when it does not (a rare word: few matches among
 * many users) are the older matches fetched through the GIN indexes
 * (bitmap scans, plain index scans switched off for that transaction),
 * where the work is proportional to the number of matches.
 */
export async function searchUsers(db: Kysely<Database>, query: UserSearchQuery, options: { windowRows?: number } = {}): Promise<UserSearchPage> {
  const windowRows = options.windowRows ?? WINDOW_ROWS;
  const limit = Math.min(Math.max(query.limit, 1), SEARCH_MAX_LIMIT);
  const words = queryWords(query.q);
  const after = query.cursor === undefined ? null : decodeCursor(query.cursor);
  const filters = filterConditions(query, after);
  const text = words.length === 0 ? [] : textConditions(await similarWords(db, words));

  let rows: PageRow[];
  if (text.length === 0) {
    rows = await pageIds(db, filters, limit + 1);
  } else {
    const window = await windowMatches(db, filters, text, limit + 1, windowRows);
    rows = window.matches;
    if (rows.length <= limit && window.end !== null) {
      const end = window.end;
      const older = await db.transaction().execute(async (trx) => {
        await sql`set local enable_indexscan = off`.execute(trx);
        await sql`set local enable_indexonlyscan = off`.execute(trx);
        await sql`set local enable_seqscan = off`.execute(trx);
        return pageIds(trx, [...filters, beforePosition(end.micros, end.user_id), ...text], limit + 1 - rows.length);
      });
      rows = [...rows, ...older];
    }
  }

  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: await summaries(db, page.map((r) => r.user_id)),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor({ micros: Number(last.micros), id: last.user_id }) : null,
  };
}

/** Users checked by the first step of a free-text search. */
export const WINDOW_ROWS = 5000;

interface PageRow {
  user_id: string;
  micros: number;
}

type Condition = RawBuilder<unknown>;

const and = (conditions: readonly Condition[]) => (conditions.length === 0 ? sql`true` : sql.join(conditions, sql` and `));

async function pageIds(db: Kysely<Database>, conditions: readonly Condition[], count: number): Promise<PageRow[]> {
  const { rows } = await sql<PageRow>`
    select s.user_id, (extract(epoch from s.created_at) * 1000000)::int8 as micros
    from user_search s
    where ${and(conditions)}
    order by s.created_at desc, s.user_id desc
    limit ${count}`.execute(db);
  return rows.map((r) => ({ user_id: r.user_id, micros: Number(r.micros) }));
}

/**
 * Step one: the matches among the newest `windowRows` users that pass the
 * filters, in one lazy walk of the order's index: a common word fills the
 * page and stops the walk early. The window's last row comes back too
 * (`rn = windowRows`) when the walk gets that far, as the position to go on
 * from; without it (fewer users passed the filters) there is nothing older.
 */
async function windowMatches(
  db: Kysely<Database>,
  filters: readonly Condition[],
  text: readonly Condition[],
  count: number,
  windowRows: number,
): Promise<{ matches: PageRow[]; end: PageRow | null }> {
  const { rows } = await sql<PageRow & { matched: boolean; last: boolean }>`
    select s.user_id, (extract(epoch from s.created_at) * 1000000)::int8 as micros, ${and(text)} as matched, s.rn = ${windowRows} as last
    from (
      select s.user_id, s.created_at, s.name_tokens, s.search_text,
             row_number() over (order by s.created_at desc, s.user_id desc) as rn
      from user_search s
      where ${and(filters)}
      order by s.created_at desc, s.user_id desc
      limit ${windowRows}
    ) s
    where ${and(text)} or s.rn = ${windowRows}
    order by s.created_at desc, s.user_id desc
    limit ${count + 1}`.execute(db);
  const matches = rows.filter((r) => r.matched).slice(0, count).map((r) => ({ user_id: r.user_id, micros: Number(r.micros) }));
  const last = rows.find((r) => r.last);
  return { matches, end: matches.length >= count || last === undefined ? null : { user_id: last.user_id, micros: Number(last.micros) } };
}

/** Everything but the free text, and the cursor's position. */
function filterConditions(query: UserSearchQuery, after: { micros: number; id: string } | null): Condition[] {
  const conditions: Condition[] = [];
  if (query.email !== undefined) conditions.push(sql`s.email_key = ${query.email.trim().toLowerCase()}`);
  if (query.country !== undefined) conditions.push(sql`s.country = ${query.country.toUpperCase()}`);
  if (query.openToWork !== undefined) conditions.push(sql`s.open_to_work = ${query.openToWork}`);
  if (query.createdFrom !== undefined) conditions.push(sql`s.created_at >= ${query.createdFrom}`);
  if (query.createdTo !== undefined) conditions.push(sql`s.created_at < ${query.createdTo}`);
  if (query.skill !== undefined) conditions.push(sql`s.skills @> array[${query.skill.trim().toLowerCase()}]::text[]`);
  if (query.role !== undefined) conditions.push(sql`exists (select 1 from user_roles r where r.user_id = s.user_id and r.role = ${query.role})`);
  if (after !== null) conditions.push(beforePosition(after.micros, after.id));
  return conditions;
}

/** Every query word must match: as a substring of the names, email or headline, or as a name/headline word close to it (typos). */
function textConditions(expanded: readonly { word: string; similar: string[] }[]): Condition[] {
  return expanded.map(({ word, similar }) =>
    similar.length === 0
      ? sql`s.search_text like ${likePattern(word)}`
      : sql`(s.name_tokens && ${similar}::text[] or s.search_text like ${likePattern(word)})`,
  );
}

/**
 * The dictionary words (search_words) close to each query word: pg_trgm
 * similarity at or above pg_trgm.similarity_threshold (0.3 unless the
 * database changes it), the closest MAX_SIMILAR_WORDS. One small query over a
 * small, trigram-indexed table.
 */
async function similarWords(db: Kysely<Database>, words: string[]): Promise<{ word: string; similar: string[] }[]> {
  const { rows } = await sql<{ word: string; similar: string[] }>`
    select q.word,
           array(select w.word from search_words w where w.word % q.word
                 order by w.word <-> q.word, w.word limit ${MAX_SIMILAR_WORDS}) as similar
    from unnest(${words}::text[]) with ordinality as q (word, n)
    order by q.n`.execute(db);
  return rows;
}

/** `(s.created_at, s.user_id) < (position)`: a row comparison one btree range scan answers. */
function beforePosition(micros: number, id: string): Condition {
  return sql`(s.created_at, s.user_id) < (timestamptz 'epoch' + ${micros}::int8 * interval '1 microsecond', ${id}::uuid)`;
}

/** Display fields of the given users, in the given order. */
async function summaries(db: Kysely<Database>, ids: string[]): Promise<UserSummary[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('user_search as s')
    .leftJoin('profiles as p', 'p.user_id', 's.user_id')
    .select((eb) => [
      's.user_id',
      's.status',
      's.created_at',
      's.country',
      's.open_to_work',
      's.completeness',
      'p.given_name',
      'p.family_name',
      'p.display_name',
      'p.headline',
      eb
        .selectFrom('identities as i')
        .select('i.email')
        .whereRef('i.user_id', '=', 's.user_id')
        .orderBy('i.created_at')
        .orderBy('i.id')
        .limit(1)
        .as('email'),
      eb
        .selectFrom('user_roles as r')
        .select(sql<string[]>`coalesce(array_agg(r.role order by r.role), '{}')`.as('roles'))
        .whereRef('r.user_id', '=', 's.user_id')
        .as('roles'),
    ])
    .where('s.user_id', 'in', ids)
    .execute();
  const byId = new Map(rows.map((r) => [r.user_id, r]));
  return ids.flatMap((id) => {
    const r = byId.get(id);
    if (r === undefined) return []; // deleted between the two queries
    return [
      {
        id: r.user_id,
        status: r.status,
        createdAt: r.created_at.toISOString(),
        email: r.email ?? null,
        givenName: r.given_name ?? null,
        familyName: r.family_name ?? null,
        displayName: r.display_name ?? null,
        headline: r.headline ?? null,
        country: r.country === null ? null : r.country.trim(),
        openToWork: r.open_to_work,
        completeness: r.completeness,
        roles: r.roles ?? [],
      },
    ];
  });
}

/**
 * The query's words: lower case, split on whitespace, each with at least
 * three consecutive letters or digits (shorter ones are dropped: no trigram
 * index can serve them). Empty when there is no query; 400 when every word
 * was too short.
 */
export function queryWords(q: string | undefined): string[] {
  if (q === undefined) return [];
  const all = q.trim().toLowerCase().split(/\s+/).filter((w) => w !== '');
  if (all.length === 0) return [];
  const words = [...new Set(all.filter((w) => TRIGRAM_RUN.test(w)))].slice(0, MAX_QUERY_WORDS);
  if (words.length === 0) {
    throw new MalformedInputError('q needs a word with at least three consecutive letters or digits', [
      { pointer: '/q', message: 'needs a word with at least three consecutive letters or digits' },
    ]);
  }
  return words;
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
