import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../../src/db/index.js';

async function query(url: string, text: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'profile-service-embedded-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('initialises on first start, keeps data across restarts', async () => {
    const first = await startEmbeddedPostgres(dir);
    expect(first.owned).toBe(true);
    await query(first.url, 'create table kept (x int); insert into kept values (42)');
    await first.stop();

    const second = await startEmbeddedPostgres(dir);
    try {
      expect(await query(second.url, 'select x from kept')).toEqual([{ x: 42 }]);
    } finally {
      await second.stop();
    }
  });

  it('a second user of the same directory attaches to the running server and leaves it running', async () => {
    const owner = await startEmbeddedPostgres(dir);
    try {
      const guest = await startEmbeddedPostgres(dir);
      expect(guest.owned).toBe(false);
      expect(guest.url).toBe(owner.url);
      await guest.stop();
      expect(await query(owner.url, 'select 1 as one')).toEqual([{ one: 1 }]);
    } finally {
      await owner.stop();
    }
  });

  it('survives a crash that left a stale postmaster.pid', async () => {
    // The pid of a process that is certainly gone, in PostgreSQL's pid-file format.
    const stalePid = 2 ** 22 - 7;
    await writeFile(join(dir, 'postgres', 'postmaster.pid'), `${stalePid}\n${join(dir, 'postgres')}\n0\n54321\n\n`);
    const server = await startEmbeddedPostgres(dir);
    try {
      expect(server.owned).toBe(true);
      expect(await query(server.url, 'select x from kept')).toEqual([{ x: 42 }]);
    } finally {
      await server.stop();
    }
  });

  it('treats a pid file naming a live process that is not our server as stale', async () => {
    await writeFile(join(dir, 'postgres', 'postmaster.pid'), `${process.pid}\n${join(dir, 'postgres')}\n0\n54321\n\n`);
    const server = await startEmbeddedPostgres(dir);
    try {
      expect(server.owned).toBe(true);
    } finally {
      await server.stop();
    }
  });
});

describe('embedded PostgreSQL and the process exit code', () => {
  it('a process that used the embedded server keeps the exit code it set (the library would force 0)', async () => {
    const { execFile } = await import('node:child_process');
    const dir = await mkdtemp(join(tmpdir(), 'profile-service-exitcode-'));
    const script = `
      import { startEmbeddedPostgres } from './src/db/embedded.ts';
      const server = await startEmbeddedPostgres(${JSON.stringify(dir)});
      await server.stop();
      process.exitCode = 3;`;
    try {
      const code = await new Promise<number | null>((resolve) => {
        const child = execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 60_000 });
        child.on('exit', (c) => resolve(c));
      });
      expect(code).toBe(3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
