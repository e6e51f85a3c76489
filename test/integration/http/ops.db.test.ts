import { createServer, Socket, type Server } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../../src/db/index.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

describe('operations endpoints', () => {
  let t: TestDatabase;
  let api: TestApp;

  beforeAll(async () => {
    t = await createTestDatabase();
    api = await buildTestApp(t.db);
  });
  afterAll(async () => {
    await api?.close();
    await t?.drop();
  });

  it('/healthz answers without touching the database', async () => {
    const res = await api.app.inject('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz is 200 when the database is reachable and migrated', async () => {
    const res = await api.app.inject('/readyz');
    expect(res.statusCode).toBe(200);
  });

  it('/readyz is 503 when migrations are pending', async () => {
    const { adminQuery, withDatabase } = await import('../../helpers/template.js');
    const name = `empty_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const adminUrl = withDatabase(t.url, 'postgres');
    await adminQuery(adminUrl, `create database ${name}`);
    const db = createDb(withDatabase(t.url, name));
    const empty = await buildTestApp(db);
    try {
      const res = await empty.app.inject('/readyz');
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    } finally {
      await empty.close();
      await db.destroy();
      await adminQuery(adminUrl, `drop database ${name} with (force)`);
    }
  });

  it('/metrics is Prometheus text with request durations and provisioning counts', async () => {
    await api.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${api.tokenFor(`m-${randomUUID()}`)}` } });
    const res = await api.app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/v1\/me",status_code="200"\} 1/);
    expect(res.body).toMatch(/profile_users_provisioned_total\{source="jit"\} 1/);
  });

  it('/openapi.json is OpenAPI 3.1 generated from the routes', async () => {
    const res = await api.app.inject('/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/me', '/healthz', '/readyz']));
    expect(doc.paths['/v1/me'].patch.requestBody).toBeDefined();
    expect(Object.keys(doc.paths['/v1/me'].patch.responses)).toEqual(expect.arrayContaining(['200', '412', '422']));
  });

  it('/docs renders the API reference', async () => {
    const res = await api.app.inject('/docs/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
  });

  it('unknown routes are 404 problems', async () => {
    const res = await api.app.inject('/nope');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });
});

/** A TCP proxy in front of PostgreSQL that the test can cut and restore. */
async function startProxy(target: URL): Promise<{ port: number; cut(): Promise<void>; restore(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = new Socket();
        upstream.connect(Number(target.port), target.hostname);
        client.pipe(upstream).pipe(client);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('error', () => {});
          s.on('close', () => sockets.delete(s));
        }
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        if (typeof address === 'object' && address) port = address.port;
        resolve();
      });
    });
  await listen();
  return {
    port,
    cut: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
    restore: listen,
  };
}

describe('database outage', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t?.drop();
  });

  it('answers 503 quickly while the database is down and recovers by itself', async () => {
    const target = new URL(t.url);
    const proxy = await startProxy(target);
    const proxied = new URL(t.url);
    proxied.port = String(proxy.port);
    const db = createDb(proxied.toString(), { max: 4, connectionTimeoutMillis: 1000 });
    const api = await buildTestApp(db);
    const token = api.tokenFor(`outage-${randomUUID()}`);
    const get = () => api.app.inject({ method: 'GET', url: '/v1/me', headers: { authorization: `Bearer ${token}` } });
    try {
      expect((await get()).statusCode).toBe(200);

      await proxy.cut();
      const down = await get();
      expect(down.statusCode).toBe(503);
      expect(down.headers['content-type']).toMatch(/problem\+json/);
      expect(down.headers['retry-after']).toBeDefined();
      expect(down.json().detail).not.toMatch(/ECONN|postgres/i);
      expect((await api.app.inject('/readyz')).statusCode).toBe(503);

      await proxy.restore();
      expect((await get()).statusCode).toBe(200);
      expect((await api.app.inject('/readyz')).statusCode).toBe(200);
    } finally {
      await api.close();
      await db.destroy();
      await proxy.cut().catch(() => {});
    }
  });
});
