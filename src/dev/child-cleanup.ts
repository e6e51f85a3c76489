import type { ChildProcess } from 'node:child_process';

/**
 * Kills registered child processes when this process goes away.
 *
 * - Normal exit (`process.exit`, empty event loop): SIGKILL in the `exit`
 *   handler (only synchronous work is possible there).
 * - SIGINT / SIGTERM / SIGHUP: the children get SIGTERM. If nobody else
 *   listens for that signal, the listener is removed and the signal re-raised,
 *   so the process still dies the way it would have without us; if someone
 *   else listens (e.g. the `dev` command's graceful shutdown), exiting is left
 *   to them and the `exit` handler catches whatever is left.
 * - SIGKILL, a crash of the runtime, OOM: no handler runs here. Children that
 *   were spawned with an IPC channel and the `exitOnParentDisconnect` preload
 *   (see cognito-local.ts) exit on their own when the channel closes.
 */
const children = new Set<ChildProcess>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

export function killOnParentExit(child: ChildProcess): () => void {
  children.add(child);
  install();
  const release = (): void => {
    children.delete(child);
    if (children.size === 0) uninstall();
  };
  child.once('exit', release);
  return release;
}

function onExit(): void {
  for (const child of children) killQuietly(child, 'SIGKILL');
}

function onSignal(signal: NodeJS.Signals): void {
  for (const child of children) killQuietly(child, 'SIGTERM');
  if (process.listenerCount(signal) === 1) {
    uninstall();
    process.kill(process.pid, signal);
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', onExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', onExit);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

function killQuietly(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    child.kill(signal);
  } catch {
    // Already gone.
  }
}
