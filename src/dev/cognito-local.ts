import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { stripVTControlCharacters } from 'node:util';
import { killOnParentExit } from './child-cleanup.js';
import { CognitoLocalStartError } from './errors.js';
import { type DevLogger, silentLogger } from './logger.js';
import { freePort, httpUrl, isPortFree } from '../net.js';

/** The triggers cognito-local 5.3 can call (its `TriggerFunctions` keys). */
export type CognitoLocalTrigger =
  | 'CustomEmailSender'
  | 'CustomMessage'
  | 'PostAuthentication'
  | 'PostConfirmation'
  | 'PreSignUp'
  | 'PreTokenGeneration'
  | 'UserMigration';

export interface CognitoLocalOptions {
  /** Working directory: config in `.cognito/config.json`, data in `.cognito/db/`, log in `cognito-local.log`. */
  dir: string;
  host: string;
  /** 0: pick a free port (a child's port must be known before it starts). */
  port: number;
  /** Base URL of a Lambda Invoke API, e.g. the local invoke server's `url`. */
  lambdaEndpoint: string;
  /** Trigger → function name, e.g. `{ PostConfirmation: 'post-confirmation' }`. */
  triggers: Partial<Record<CognitoLocalTrigger, string>>;
  logger?: DevLogger;
  /** Called with every output line (ANSI codes stripped). Not echoed anywhere by default: it contains confirmation codes. */
  onOutput?: (line: string) => void;
  /** Default: the server's own URL, so tokens carry `iss = {url}/{poolId}`. */
  issuerDomain?: string;
  /** Default 20 s. */
  startupTimeoutMs?: number;
  /** SIGTERM → SIGKILL grace on stop(); default 5 s. */
  stopTimeoutMs?: number;
}

export interface CognitoLocal {
  url: string;
  port: number;
  pid: number;
  /** Where every output line is appended (confirmation codes included). */
  logFile: string;
  /** The most recent output lines, oldest first. */
  output(): readonly string[];
  /** Settles when the child exits, for whatever reason. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);
/**
 * Resolved when the local stack starts, not when the CLI loads: cognito-local
 * is a dev dependency, absent from the production image (npm ci --omit=dev),
 * where `serve` and `migrate` must still start.
 */
const startScript = () => require.resolve('cognito-local/lib/bin/start.js');
const OUTPUT_LINES_KEPT = 1_000;
const TAIL_LINES = 30;
const FREE_PORT_ATTEMPTS = 3;

/**
 * Preloaded into the child: exit when the IPC channel to the parent closes,
 * which the OS does however the parent dies (SIGKILL included).
 */
const EXIT_ON_PARENT_DISCONNECT = `data:text/javascript,${encodeURIComponent(
  "process.on('disconnect', () => process.exit(0));",
)}`;

/**
 * Writes cognito-local's config, starts it as a child process in `dir` and
 * waits until it answers on `/health`.
 */
export async function startCognitoLocal(options: CognitoLocalOptions): Promise<CognitoLocal> {
  const dir = resolve(options.dir);
  const logger = options.logger ?? silentLogger;
  const attempts = options.port === 0 ? FREE_PORT_ATTEMPTS : 1;

  for (let attempt = 1; ; attempt++) {
    const port = options.port === 0 ? await freePort(options.host) : options.port;
    if (options.port !== 0 && !(await isPortFree(options.host, port))) {
      throw new CognitoLocalStartError(`Port ${port} on ${options.host} is already in use (another cognito-local still running?)`);
    }
    const url = httpUrl(options.host, port);
    await writeConfig(dir, options, url);
    try {
      const instance = await launch(dir, port, url, options, logger);
      logger.info({ url, pid: instance.pid }, 'cognito-local started');
      return instance;
    } catch (err) {
      // Someone may have taken the free port between our probe and the child's bind.
      const portTaken = err instanceof CognitoLocalStartError && err.outputTail.some((l) => l.includes('EADDRINUSE'));
      if (!portTaken || attempt >= attempts) throw err;
      logger.warn({ port }, 'cognito-local: port was taken before it could bind; retrying on another');
    }
  }
}

async function writeConfig(dir: string, options: CognitoLocalOptions, url: string): Promise<void> {
  const config = {
    LambdaClient: {
      endpoint: options.lambdaEndpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    },
    TriggerFunctions: options.triggers,
    TokenConfig: { IssuerDomain: (options.issuerDomain ?? url).replace(/\/+$/, '') },
  };
  await mkdir(join(dir, '.cognito'), { recursive: true });
  await writeFile(join(dir, '.cognito', 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
}

async function launch(
  dir: string,
  port: number,
  url: string,
  options: CognitoLocalOptions,
  logger: DevLogger,
): Promise<CognitoLocal> {
  const logFile = join(dir, 'cognito-local.log');
  const log = createWriteStream(logFile, { flags: 'a', mode: 0o600 });
  // A log file that cannot be written must not take the process down; the lines stay in memory.
  log.on('error', (err) => logger.warn({ err, logFile }, 'cognito-local: cannot write its log file'));
  const lines: string[] = [];
  const record = (raw: string): void => {
    const line = stripVTControlCharacters(raw);
    lines.push(line);
    if (lines.length > OUTPUT_LINES_KEPT) lines.shift();
    if (!log.destroyed) log.write(`${line}\n`);
    options.onOutput?.(line);
  };

  const child = spawn(process.execPath, ['--import', EXIT_ON_PARENT_DISCONNECT, startScript()], {
    cwd: dir,
    env: childEnv(options.host, port),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const release = killOnParentExit(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
  });
  const spawnError = new Promise<Error>((resolveError) => child.once('error', resolveError));
  // Output is complete only once both pipes have closed.
  const pipes = [child.stdout, child.stderr].filter((stream): stream is Readable => stream !== null);
  const outputDone = Promise.all(pipes.map((stream) => {
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    rl.on('line', record);
    return new Promise<void>((done) => rl.once('close', done));
  }));
  const closeLog = async (): Promise<void> => {
    await Promise.race([outputDone, sleep(1_000)]);
    await endStream(log);
  };

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await terminate(child, exited, options.stopTimeoutMs ?? 5_000);
      release();
      await closeLog();
    })();
    return stopping;
  };

  const failure = await waitUntilReady(url, exited, spawnError, options.startupTimeoutMs ?? 20_000);
  if (failure !== null) {
    await stop();
    throw new CognitoLocalStartError(`cognito-local did not start on ${url}: ${failure}`, lines.slice(-TAIL_LINES));
  }

  void exited.then(({ code, signal }) => {
    if (stopping === undefined) {
      logger.error({ code, signal, outputTail: lines.slice(-TAIL_LINES) }, 'cognito-local exited unexpectedly');
    }
  });

  return {
    url,
    port,
    pid: child.pid as number,
    logFile,
    output: () => [...lines],
    exited,
    stop,
  };
}

/** Resolves to null when ready, else to the reason it is not. */
async function waitUntilReady(
  url: string,
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  spawnError: Promise<Error>,
  timeoutMs: number,
): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  const state: { gone: string | null } = { gone: null };
  void exited.then(({ code, signal }) => {
    state.gone ??= `it exited (code ${code ?? 'none'}, signal ${signal ?? 'none'})`;
  });
  void spawnError.then((err) => {
    state.gone ??= `it could not be spawned (${err.message})`;
  });
  for (;;) {
    const healthy = await answersHealth(url);
    // Checked after the probe: an answer from some other server on this port does not count.
    if (state.gone !== null) return state.gone;
    if (healthy) return null;
    if (Date.now() >= deadline) return `no answer on /health within ${timeoutMs} ms`;
    await Promise.race([sleep(100), exited, spawnError]);
  }
}

function answersHealth(url: string): Promise<boolean> {
  return new Promise((resolveHealth) => {
    // agent: false — no pooled keep-alive socket left behind.
    const req = request(`${url}/health`, { agent: false, timeout: 1_000 }, (res) => {
      res.resume();
      resolveHealth(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolveHealth(false));
    req.end();
  });
}

async function terminate(
  child: ChildProcess,
  exited: Promise<unknown>,
  graceMs: number,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  const timedOut = Symbol('timeout');
  const result = await Promise.race([exited, sleep(graceMs, timedOut, { ref: false })]);
  if (result === timedOut) {
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * The parent's environment without what would change cognito-local's
 * behaviour: DEBUG makes it log every stored record (passwords included) and
 * every trigger event; NODE_OPTIONS may carry --inspect or loaders meant for
 * the parent.
 */
function childEnv(host: string, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: host,
    PORT: String(port),
    AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
  };
  delete env.DEBUG;
  delete env.COGNITO_LOCAL_DEVMODE;
  delete env.NODE_OPTIONS;
  return env;
}

function endStream(stream: WriteStream): Promise<void> {
  return new Promise((done) => {
    if (stream.closed || stream.destroyed) done();
    else stream.end(() => done());
  });
}
