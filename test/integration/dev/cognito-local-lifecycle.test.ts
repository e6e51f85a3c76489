import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCognitoLocal } from '../../../src/dev/cognito-local.js';
import { CognitoLocalStartError } from '../../../src/dev/errors.js';
import { isAlive } from './process-helpers.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SCRIPT = join(HERE, 'fixtures', 'spawn-cognito-local.ts');
const REPO = resolve(HERE, '../../..');

/** Starts a parent process that starts cognito-local; resolves once the child is up. */
async function startParent(dir: string, mode: 'wait' | 'exit') {
  const parent = spawn(process.execPath, ['--import', 'tsx', SCRIPT, dir, mode], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  parent.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    parent.once('exit', (code, signal) => done({ code, signal })),
  );
  const lines = createInterface({ input: parent.stdout as NonNullable<ChildProcess['stdout']> });
  const first = await Promise.race([
    new Promise<string>((done) => lines.once('line', done)),
    exited.then(({ code }) => {
      throw new Error(`parent exited early (code ${code}): ${stderr}`);
    }),
  ]);
  const { childPid } = JSON.parse(first) as { childPid: number };
  return { parent, childPid, exited };
}

async function waitUntilGone(pid: number, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isAlive(pid);
}

describe('cognito-local child process lifecycle', () => {
  let dir: string;
  const leftovers: number[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'profile-service-dev-life-'));
  });

  afterAll(async () => {
    for (const pid of leftovers) {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each(['SIGKILL', 'SIGTERM', 'SIGINT'] as const)('dies when its parent gets %s', async (signal) => {
    const { parent, childPid, exited } = await startParent(join(dir, signal), 'wait');
    leftovers.push(childPid);
    expect(isAlive(childPid)).toBe(true);
    parent.kill(signal);
    // Without other listeners the parent still dies of the signal, as it would without us.
    expect(await exited).toEqual({ code: null, signal });
    expect(await waitUntilGone(childPid)).toBe(true);
  }, 20_000);

  it('dies when its parent calls process.exit()', async () => {
    const { childPid, exited } = await startParent(join(dir, 'exit'), 'exit');
    leftovers.push(childPid);
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(await waitUntilGone(childPid)).toBe(true);
  }, 20_000);

  it('fails with the tail of its output when cognito-local cannot start', async () => {
    // A file where cognito-local wants its db directory makes it exit at once.
    const broken = join(dir, 'broken');
    await mkdir(join(broken, '.cognito'), { recursive: true });
    await writeFile(join(broken, '.cognito', 'db'), 'not a directory');
    const err = await startCognitoLocal({
      dir: broken,
      host: '127.0.0.1',
      port: 0,
      lambdaEndpoint: 'http://127.0.0.1:9',
      triggers: {},
      startupTimeoutMs: 10_000,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CognitoLocalStartError);
    expect(err).toMatchObject({ code: 'ERR_COGNITO_LOCAL_START' });
    const { outputTail, message } = err as CognitoLocalStartError;
    expect(message).toContain('exited');
    expect(outputTail.join('\n')).toMatch(/EEXIST|ENOTDIR/);
  }, 20_000);
});
