/**
 * `npm run bench:seed`: how fast `profile-service seed` loads, against the
 * machine's own floor for the same rows (docs/benchmarks.md, "Seeding").
 *
 * Two targets, each into a fresh database on the same server (DATABASE_URL's,
 * else the tuned bench server in DATA_DIR/bench-admin, bench/admin-db.ts):
 *
 * - seed:  `seedUsers` exactly as the CLI runs it with --rebuild-indexes
 *          (without, given --keep-indexes) —
 *          generation (--workers threads, default as the CLI's), COPY into
 *          the real tables (keys, constraints), the typo dictionary, then
 *          the secondary indexes rebuilt.
 * - floor: the same users (same generator, same PRNG seed) COPYed over the
 *          same number of connections into bare copies of the tables: no
 *          keys, constraints, indexes or triggers, and generation not timed.
 *          This is what PostgreSQL on this machine needs just to take the
 *          rows in; no seeder of these rows can be faster.
 *
 * Prints both rates and seed ÷ floor. Order alternates over --rounds.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createDb, migrateToLatest } from '../src/db/index.js';
import { COPY_COLUMNS, copyRows, inBatchTransaction, defaultSeedWorkers, generateBatch, seedUsers, type GeneratedBatch } from '../src/seed/index.js';
import { adminQuery, ensureDatabase, startBenchServer, TUNING, withDatabase, type BenchServer } from './admin-db.js';

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '1' },
    workers: { type: 'string' },
    'keep-indexes': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const USERS = positive('users');
const BATCH = positive('batch');
const CONCURRENCY = positive('concurrency');
const ROUNDS = positive('rounds');
const WORKERS = args.workers === undefined ? defaultSeedWorkers() : Number(args.workers);
if (!Number.isInteger(WORKERS) || WORKERS < 0) {
  console.error('--workers must be a whole number');
  process.exit(2);
}
const PRNG_SEED = 20261129;
const NOW = Date.now();

function positive(name: keyof typeof args): number {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name} must be a positive integer`);
    process.exit(2);
  }
  return value;
}

function log(line: string) {
  process.stderr.write(`${line}\n`);
}

interface Measurement {
  target: 'seed' | 'floor';
  round: number;
  users: number;
  ms: number;
  usersPerSecond: number;
  /** seed: loading before the index rebuild; floor: generation time (not counted in ms). */
  detail: Record<string, number>;
}

async function main() {
  let server: BenchServer | null = null;
  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
  } else {
    server = await startBenchServer(process.env.DATA_DIR ?? './.data', log);
    adminUrl = server.adminUrl;
  }
  const measurements: Measurement[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const order = round % 2 === 1 ? (['floor', 'seed'] as const) : (['seed', 'floor'] as const);
      for (const target of order) {
        const name = `profile_bench_seed_${target}_${process.pid}`;
        await freshDatabase(adminUrl, name);
        const url = withDatabase(adminUrl, name);
        try {
          log(`round ${round}: ${target}, ${USERS.toLocaleString('en')} users…`);
          const m = target === 'seed' ? await measureSeed(url, round) : await measureFloor(url, round);
          log(`  ${Math.round(m.usersPerSecond).toLocaleString('en')} users/s`);
          measurements.push(m);
        } finally {
          await adminQuery(adminUrl, `drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
        }
      }
    }
  } finally {
    await server?.stop();
  }
  const seed = median(measurements.filter((m) => m.target === 'seed').map((m) => m.usersPerSecond));
  const floor = median(measurements.filter((m) => m.target === 'floor').map((m) => m.usersPerSecond));
  const machine = {
    cpus: (await import('node:os')).cpus().length,
    node: process.version,
    server: process.env.DATABASE_URL ? 'DATABASE_URL' : `bench-admin embedded server (${Object.entries(TUNING).map(([k, v]) => `${k}=${v}`).join(', ')})`,
  };
  if (args.json) {
    console.log(JSON.stringify({ users: USERS, batch: BATCH, concurrency: CONCURRENCY, workers: WORKERS, machine, measurements, ratio: seed / floor }, null, 2));
    return;
  }
  console.log(`users ${USERS}, batch ${BATCH}, connections ${CONCURRENCY}, generator threads ${WORKERS}, ${machine.cpus} cores, ${machine.node}`);
  console.log('target  round      users/s     seconds  detail');
  for (const m of measurements) {
    const detail = Object.entries(m.detail).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ');
    console.log(`${m.target.padEnd(7)} ${String(m.round).padStart(5)} ${Math.round(m.usersPerSecond).toString().padStart(12)} ${(m.ms / 1000).toFixed(1).padStart(11)}  ${detail}`);
  }
  console.log(`ratio (seed/floor, medians) = ${(seed / floor).toFixed(3)}   seed ${Math.round(seed)} users/s, floor ${Math.round(floor)} users/s`);
}

async function freshDatabase(adminUrl: string, name: string): Promise<void> {
  await adminQuery(adminUrl, `drop database if exists ${pg.escapeIdentifier(name)} with (force)`);
  await ensureDatabase(adminUrl, name);
  const db = createDb(withDatabase(adminUrl, name), { max: 1 });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }
}

async function measureSeed(url: string, round: number): Promise<Measurement> {
  const result = await seedUsers(url, {
    users: USERS,
    batchSize: BATCH,
    concurrency: CONCURRENCY,
    workers: WORKERS,
    seed: PRNG_SEED,
    now: new Date(NOW),
    rebuildIndexes: !args['keep-indexes'],
  });
  return {
    target: 'seed',
    round,
    users: result.users,
    ms: result.ms,
    usersPerSecond: result.usersPerSecond,
    detail: { load: result.loadMs, 'index rebuild': result.ms - result.loadMs },
  };
}

/**
 * Bare copies of the seeded tables (columns, defaults and generated columns;
 * nothing that checks or indexes) in a schema of their own, loaded with the
 * same COPY text. Generation happens between the timed loads: `concurrency`
 * batches are made, then loaded at once, one connection each.
 */
async function measureFloor(url: string, round: number): Promise<Measurement> {
  const tables = Object.keys(COPY_COLUMNS) as (keyof typeof COPY_COLUMNS)[];
  await adminQuery(
    url,
    ['create schema floor', ...tables.map((t) => `create table floor.${t} (like public.${t} including defaults including generated)`)].join(';'),
  );
  const pool = new pg.Pool({ connectionString: url, max: CONCURRENCY, options: '-c search_path=floor' });
  pool.on('error', () => {});
  let loadMs = 0;
  let generateMs = 0;
  try {
    for (let index = 0; index * BATCH < USERS; ) {
      const batches: GeneratedBatch[] = [];
      let started = performance.now();
      for (let i = 0; i < CONCURRENCY && index * BATCH < USERS; i++, index++) {
        // The very batches seedUsers makes for this run (same spec, same PRNG stream).
        const size = Math.min(BATCH, USERS - index * BATCH);
        batches.push(generateBatch({ issuer: 'urn:profile-service:seed', nowMs: NOW, spanDays: 730, seed: PRNG_SEED, index, size, firstSerial: index * BATCH, total: USERS }));
      }
      generateMs += performance.now() - started;
      started = performance.now();
      await Promise.all(batches.map((batch) => loadBare(pool, tables, batch)));
      loadMs += performance.now() - started;
    }
  } finally {
    await pool.end();
  }
  return { target: 'floor', round, users: USERS, ms: loadMs, usersPerSecond: USERS / (loadMs / 1000), detail: { 'generation (untimed)': generateMs } };
}

async function loadBare(pool: pg.Pool, tables: (keyof typeof COPY_COLUMNS)[], batch: GeneratedBatch): Promise<void> {
  await inBatchTransaction(pool, async (client) => {
    for (const table of tables) await copyRows(client, table, batch.data[table]);
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
