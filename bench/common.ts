/**
 * What the benchmark's parent (bench/me.ts) and its two server children
 * (bench/app-server.ts, bench/baseline-server.ts) share: the identity
 * constants and the small IPC protocol between them.
 */

/** The pool id the app is configured with (a local emulator pool, so an http issuer is allowed). */
export const BENCH_POOL_ID = 'local_Bench';
export const BENCH_CLIENT_ID = 'benchclient';
/**
 * A fixed issuer: users seeded into a DATABASE_URL database by one run are
 * found again by the next (the audit table is append-only, so they could not
 * be deleted afterwards). The JWKS is served on a random port and configured
 * separately (AUTH_JWKS_URI), so the issuer needs no port of its own.
 */
export const BENCH_ISSUER = `http://127.0.0.1/${BENCH_POOL_ID}`;
export const JWKS_PATH = `/${BENCH_POOL_ID}/.well-known/jwks.json`;

/** Child → parent. */
export type ChildMessage = { type: 'ready'; port: number } | { type: 'failed'; error: string };
/** Parent → child. */
export type ParentMessage = { type: 'stop' };

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The lifecycle of a server child: start, report the port to the parent,
 * and exit on the parent's `stop`, when the parent goes away (IPC channel
 * closed, even after SIGKILL), or on SIGINT/SIGTERM (Ctrl-C reaches the
 * whole process group). `process.exit` also writes a `--cpu-prof` profile.
 */
export function runServerChild(name: string, start: () => Promise<RunningServer>): void {
  if (process.send === undefined) {
    console.error(`${name}: run me through bench/me.ts (I need an IPC channel to the parent)`);
    process.exit(2);
  }
  const send = (message: ChildMessage) => process.send?.(message);
  let server: RunningServer | null = null;
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(code), 3000);
    force.unref();
    (server?.close() ?? Promise.resolve()).then(
      () => process.exit(code),
      () => process.exit(code),
    );
  };
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stop') stop(0);
  });
  process.on('disconnect', () => stop(0));
  process.once('SIGINT', () => stop(130));
  process.once('SIGTERM', () => stop(143));

  start().then(
    (running) => {
      server = running;
      if (stopping) void running.close();
      else send({ type: 'ready', port: running.port });
    },
    (error: unknown) => {
      console.error(`${name}: failed to start:`, error);
      send({ type: 'failed', error: String(error) });
      stop(1);
    },
  );
}

/** Reads a required environment variable (the parent always sets them). */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}
