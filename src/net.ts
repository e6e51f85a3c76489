import { createServer } from 'node:net';

/**
 * Asks the OS for a free TCP port on `host` (binds port 0, reads it, closes).
 * Racy by nature: another process may take the port before it is used, so
 * callers that spawn a child on it should retry on EADDRINUSE.
 */
export async function freePort(host: string): Promise<number> {
  const server = createServer();
  await listen(server, host, 0);
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error(`Could not read a free port on ${host}`);
  return address.port;
}

/** True when `port` can be bound on `host` right now. */
export async function isPortFree(host: string, port: number): Promise<boolean> {
  const server = createServer();
  try {
    await listen(server, host, port);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') return false;
    throw err;
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return true;
}

/** `http://host:port` with IPv6 literals bracketed and wildcard addresses replaced by loopback. */
export function httpUrl(host: string, port: number): string {
  return `http://${urlHost(host)}:${port}`;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  if (host.includes(':') && !host.startsWith('[')) return `[${host}]`;
  return host;
}

function listen(server: ReturnType<typeof createServer>, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
