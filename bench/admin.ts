/**
 * `npm run bench:admin`: admin search, user detail and the summary report on
 * a million seeded users (docs/benchmarks.md, "Admin search and reports").
 *
 * Database: DATABASE_URL's server (a dedicated database `profile_bench_admin`
 * is created on it), else a tuned PostgreSQL of its own in
 * DATA_DIR/bench-admin (bench/admin-db.ts). Seeded once, reused by later runs.
 * Reads go to DATABASE_READ_URL when set (a replica of that database),
 * else to the primary. Measures the service functions the routes call
 * (SQL round trips included, HTTP excluded), prints p50/p95/p99 against the
 * targets and the key facts of each query's EXPLAIN (ANALYZE, BUFFERS).
 */
import { parseArgs } from 'node:util';
import { Kysely, PostgresDialect, sql, type LogEvent } from 'kysely';
import pg from 'pg';
import { grantRoleToUser } from '../src/access/index.js';
import { getUserDocument, searchUsers, summaryReport, type UserSearchQuery } from '../src/admin/index.js';
import { createDb, migrateToLatest, type Database, type Db } from '../src/db/index.js';
import { seedUsers } from '../src/seed/index.js';
import { ensureDatabase, startBenchServer, TUNING, withDatabase, type BenchServer } from './admin-db.js';

const DATABASE = 'profile_bench_admin';
const TARGETS = { search: 50, detail: 5, report: 1000 } as const;

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '1000000' },
    iterations: { type: 'string', default: '60' },
    json: { type: 'boolean', default: false },
  },
});
const USERS = Number(args.users);
const ITERATIONS = Number(args.iterations);

interface Case {
  group: 'free text + filter' | 'filters only' | 'deep pagination' | 'user detail' | 'summary report';
  name: string;
  target: number;
  run: () => Promise<unknown>;
  /** The SQL to EXPLAIN (captured from a run), when relevant. */
  explain?: () => Promise<PlanFacts[]>;
}

interface PlanFacts {
  statement: string;
  ms: number;
  rows: number;
  nodes: string;
  indexes: string[];
  hit: number;
  read: number;
}

function log(line: string) {
  process.stderr.write(`${line}\n`);
}

async function main() {
  let server: BenchServer | null = null;
  let url: string;
  if (process.env.DATABASE_URL) {
    await ensureDatabase(process.env.DATABASE_URL, DATABASE);
    url = withDatabase(process.env.DATABASE_URL, DATABASE);
  } else {
    server = await startBenchServer(process.env.DATA_DIR ?? './.data', log);
    await ensureDatabase(server.adminUrl, DATABASE);
    url = withDatabase(server.adminUrl, DATABASE);
  }
  const db = createDb(url, { max: 4, statementTimeoutMillis: 600_000 });
  const readUrl = process.env.DATABASE_READ_URL ?? null;
  const readDb = readUrl === null ? db : createDb(readUrl, { max: 4, statementTimeoutMillis: 60_000 });
  try {
    await migrateToLatest(db);
    const seeding = await seed(db, url);
    const cases = await buildCases(readDb, readUrl ?? url);
    const results = [];
    for (const c of cases) {
      for (let i = 0; i < 5; i++) await c.run(); // warm
      const times: number[] = [];
      const iterations = c.group === 'summary report' ? Math.max(10, Math.round(ITERATIONS / 5)) : ITERATIONS;
      for (let i = 0; i < iterations; i++) {
        const started = performance.now();
        await c.run();
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      const q = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)]!;
      const plans = c.explain ? await c.explain() : [];
      results.push({ group: c.group, name: c.name, target: c.target, n: times.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), plans });
      log(`  ${c.group} / ${c.name}: p50 ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms`);
    }
    const machine = await describeMachine(readDb);
    if (args.json) console.log(JSON.stringify({ seeding, machine, results }, null, 2));
    else console.log(report(seeding, machine, results));
  } finally {
    if (readDb !== db) await readDb.destroy();
    await db.destroy();
    await server?.stop();
  }
}

async function seed(db: Db, url: string) {
  const { rows } = await sql<{ n: number }>`select count(*)::int8 as n from users`.execute(db);
  const existing = Number(rows[0]!.n);
  let result: Awaited<ReturnType<typeof seedUsers>> | null = null;
  if (existing < USERS) {
    log(`seeding ${USERS - existing} users into ${DATABASE} (${existing} present)…`);
    let last = 0;
    result = await seedUsers(url, {
      users: USERS - existing,
      seed: 20261129,
      rebuildIndexes: existing === 0,
      onProgress: (n) => {
        if (n - last >= 100_000) log(`  ${(last = n).toLocaleString('en')}`);
      },
    });
    log(`seeded ${result.users} users in ${(result.ms / 1000).toFixed(1)} s (${Math.round(result.usersPerSecond)} users/s)`);
    // A rare role to filter on: 200 support staff, granted the ordinary way (audited).
    const staff = await db.selectFrom('users').select('id').orderBy(sql`md5(id::text)`).limit(200).execute();
    for (const { id } of staff) await grantRoleToUser(db, id, 'support', { type: 'system', id: 'bench' }, { source: 'bench' });
    log('vacuum analyze…');
    await sql`vacuum analyze`.execute(db);
  }
  return { existing, result };
}

async function buildCases(db: Db, url: string): Promise<Case[]> {
  const sampleIds = (await sql<{ id: string }>`select id from users tablesample system (1) limit 500`.execute(db)).rows.map((r) => r.id);
  const emails = (await sql<{ email: string }>`select email from identities tablesample system (1) where email is not null limit 100`.execute(db)).rows.map((r) => r.email);
  const since90 = new Date(Date.now() - 90 * 86_400_000);
  const pick = <T>(items: readonly T[], i: number) => items[i % items.length]!;
  let i = 0;

  const search = (group: Case['group'], name: string, variants: Omit<UserSearchQuery, 'limit'>[], limit = 20): Case => ({
    group,
    name,
    target: TARGETS.search,
    run: () => searchUsers(db, { limit, ...pick(variants, i++) }),
    explain: async () => (await Promise.all(variants.slice(0, 4).map((v) => explainSearch(url, { limit, ...v })))).flatMap((facts, n) =>
      facts.map((f) => ({ ...f, statement: variants.length > 1 ? `${f.statement} [${JSON.stringify(variants[n])}]` : f.statement })),
    ),
  });

  // Deep pagination: the cursor of page 49 (20 per page), then page 50 is measured.
  const deep = async (name: string, filter: Omit<UserSearchQuery, 'limit' | 'cursor'>): Promise<Case> => {
    let cursor: string | undefined;
    for (let page = 1; page < 50; page++) cursor = (await searchUsers(db, { ...filter, limit: 20, cursor })).nextCursor ?? undefined;
    return {
      group: 'deep pagination',
      name,
      target: TARGETS.search,
      run: () => searchUsers(db, { ...filter, limit: 20, cursor }),
      explain: () => explainSearch(url, { ...filter, limit: 20, cursor }),
    };
  };

  return [
    search('free text + filter', 'q=smith, country=GB', [{ q: 'smith', country: 'GB' }, { q: 'jones', country: 'GB' }, { q: 'taylor', country: 'US' }]),
    search('free text + filter', 'typo q=smiht, openToWork', [{ q: 'smiht', openToWork: true }, { q: 'wiliams', openToWork: true }, { q: 'schnieder', openToWork: true }]),
    search('free text + filter', 'q=jonathan thompson (full name)', [{ q: 'jonathan thompson' }, { q: 'priya sharma' }, { q: 'lukas schneider' }, { q: 'jonathon tompson' }]),
    search('free text + filter', 'q=sharma, country=IN, skill', [{ q: 'sharma', country: 'IN', skill: 'java' }, { q: 'müller', country: 'DE', skill: 'sql' }]),
    search('free text + filter', 'q=engineer at initech, skill', [{ q: 'engineer at initech', skill: 'python' }, { q: 'data analyst', skill: 'sql' }]),
    search('filters only', 'country=DE, openToWork', [{ country: 'DE', openToWork: true }, { country: 'FR', openToWork: true }, { country: 'IN', openToWork: false }]),
    search('filters only', 'skill=TypeScript, country=US', [{ skill: 'typescript', country: 'US' }, { skill: 'rust', country: 'GB' }, { skill: 'sap', country: 'IN' }]),
    search('filters only', 'openToWork, created last 90 days', [{ openToWork: true, createdFrom: since90 }]),
    search('filters only', 'role=support (rare)', [{ role: 'support' }]),
    search('filters only', 'email (exact)', emails.map((email) => ({ email }))),
    search('filters only', 'no filter (first page)', [{}]),
    await deep('page 50, no filter', {}),
    await deep('page 50, country=GB', { country: 'GB' }),
    await deep('page 50, openToWork + skill=SQL', { openToWork: true, skill: 'sql' }),
    { group: 'user detail', name: 'GET /v1/users/{id} document', target: TARGETS.detail, run: () => getUserDocument(db, pick(sampleIds, i++)), explain: () => explainRun(url, (logging) => getUserDocument(logging, sampleIds[0]!)) },
    { group: 'summary report', name: 'GET /v1/reports/summary', target: TARGETS.report, run: () => summaryReport(db), explain: () => explainRun(url, (logging) => summaryReport(logging)) },
  ];
}

/** Runs the search once on a logging Kysely, then EXPLAINs each captured statement under the settings it ran with. */
async function explainSearch(url: string, query: UserSearchQuery): Promise<PlanFacts[]> {
  return explainRun(url, (db) => searchUsers(db, query));
}

async function explainRun(url: string, run: (db: Kysely<Database>) => Promise<unknown>): Promise<PlanFacts[]> {
  const captured: { sql: string; parameters: readonly unknown[] }[] = [];
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const logging = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: (event: LogEvent) => {
      if (event.level === 'query') captured.push(event.query);
    },
  });
  try {
    await run(logging);
    const facts: PlanFacts[] = [];
    const client = await pool.connect();
    try {
      let settings: string[] = [];
      for (const statement of captured) {
        if (/^set local/i.test(statement.sql)) {
          settings.push(statement.sql);
          continue;
        }
        if (!/^(with|select)/i.test(statement.sql.trim())) continue;
        await client.query('begin');
        for (const setting of settings) await client.query(setting);
        const { rows } = await client.query(`explain (analyze, buffers, format json) ${statement.sql}`, statement.parameters as unknown[]);
        await client.query('rollback');
        const kind = /to_json\(u\)/.test(statement.sql)
          ? 'document (one statement)'
          : /grouping sets/.test(statement.sql)
          ? 'report: totals, completeness, countries'
          : /to_char/.test(statement.sql)
            ? 'report: sign-ups per day'
            : /name_key/.test(statement.sql)
              ? 'report: top skills'
              : /search_words/.test(statement.sql)
          ? 'typo dictionary'
          : /array_agg/.test(statement.sql)
            ? 'page rows'
            : settings.length > 0
              ? 'older matches (bitmap step)'
              : /offset/.test(statement.sql)
                ? 'window end'
                : /\) s\s+where/.test(statement.sql)
                  ? 'window matches'
                  : 'page ids';
        settings = [];
        facts.push(planFacts(kind, (rows[0] as { 'QUERY PLAN': unknown[] })['QUERY PLAN'][0] as PlanRoot));
      }
    } finally {
      client.release();
    }
    return facts;
  } finally {
    await logging.destroy();
  }
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}
interface PlanRoot {
  Plan: PlanNode;
  'Execution Time': number;
}

function planFacts(statement: string, root: PlanRoot): PlanFacts {
  const nodes: string[] = [];
  const indexes = new Set<string>();
  const walk = (node: PlanNode, depth: number) => {
    if (depth < 4) nodes.push(node['Node Type'] + (node['Index Name'] ? ` (${node['Index Name']})` : ''));
    if (node['Index Name']) indexes.add(node['Index Name']);
    for (const child of node.Plans ?? []) walk(child, depth + 1);
  };
  walk(root.Plan, 0);
  return {
    statement,
    ms: root['Execution Time'],
    rows: root.Plan['Actual Rows'] ?? 0,
    nodes: nodes.join(' → '),
    indexes: [...indexes],
    hit: root.Plan['Shared Hit Blocks'] ?? 0,
    read: root.Plan['Shared Read Blocks'] ?? 0,
  };
}

async function describeMachine(db: Db) {
  const { rows } = await sql<{ version: string; users: number; size: string }>`
    select version() as version, (select count(*) from users)::int8 as users, pg_size_pretty(pg_database_size(current_database())) as size`.execute(db);
  const os = await import('node:os');
  return {
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    node: process.version,
    postgres: rows[0]!.version.split(' on ')[0],
    users: Number(rows[0]!.users),
    databaseSize: rows[0]!.size,
    server: process.env.DATABASE_URL ? 'DATABASE_URL' : `bench-admin embedded server (${Object.entries(TUNING).map(([k, v]) => `${k}=${v}`).join(', ')})`,
    reads: process.env.DATABASE_READ_URL ? 'DATABASE_READ_URL (replica)' : 'primary',
  };
}

type Result = { group: string; name: string; target: number; n: number; p50: number; p95: number; p99: number; plans: PlanFacts[] };

function report(seeding: Awaited<ReturnType<typeof seed>>, machine: Awaited<ReturnType<typeof describeMachine>>, results: Result[]): string {
  const ms = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1));
  const lines = [
    `Machine: ${machine.cpus}, ${machine.memory}; Node ${machine.node}; ${machine.postgres}; ${machine.server}; reads from ${machine.reads}.`,
    `Data: ${machine.users.toLocaleString('en')} users, database ${machine.databaseSize}.`,
    seeding.result
      ? `Seeding: ${seeding.result.users.toLocaleString('en')} users in ${(seeding.result.ms / 1000).toFixed(1)} s = ${Math.round(seeding.result.usersPerSecond).toLocaleString('en')} users/s overall` +
        (seeding.result.indexesRebuilt > 0
          ? ` (COPY ${(seeding.result.loadMs / 1000).toFixed(1)} s = ${Math.round(seeding.result.users / (seeding.result.loadMs / 1000)).toLocaleString('en')} users/s, then ${seeding.result.indexesRebuilt} indexes rebuilt in ${((seeding.result.ms - seeding.result.loadMs) / 1000).toFixed(1)} s)`
          : '')
      : `Seeding: reused ${seeding.existing.toLocaleString('en')} users seeded by an earlier run.`,
    '',
    '| group | query | n | p50 ms | p95 ms | p99 ms | target p95 | met |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.map((r) => `| ${r.group} | ${r.name} | ${r.n} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.p99)} | ≤ ${r.target} | ${r.p95 <= r.target ? 'yes' : '**no**'} |`),
    '',
    'Plans (EXPLAIN ANALYZE, BUFFERS; first variant of each search):',
    '',
    '| query | statement | exec ms | rows | plan (top levels) | indexes | buffers hit/read |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...results.flatMap((r) =>
      r.plans.map((p) => `| ${r.name} | ${p.statement} | ${ms(p.ms)} | ${p.rows} | ${p.nodes} | ${p.indexes.join(', ')} | ${p.hit}/${p.read} |`),
    ),
  ];
  return lines.join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
