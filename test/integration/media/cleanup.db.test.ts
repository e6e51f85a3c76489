import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupMedia } from '../../../src/media/index.js';
import { fileOf, mediaUser, startMediaHarness, type MediaHarness } from './helpers.js';

const run = promisify(execFile);

describe('media cleanup', () => {
  let h: MediaHarness;
  beforeAll(async () => {
    h = await startMediaHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  const keyOf = (url: string) => new URL(url).pathname.replace(`/${h.s3.bucket}/`, '');
  const rowExists = async (id: string) => (await h.t.db.selectFrom('media').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  const expire = (id: string, msAgo: number) =>
    h.t.db.updateTable('media').set({ upload_expires_at: new Date(Date.now() - msAgo) }).where('id', '=', id).execute();
  /** An object put straight into the bucket (as after a failed delete), with no item. */
  const putObject = async (key: string) => {
    const signed = await h.storage.presignUpload({ key, contentType: 'text/plain', sizeBytes: 5, expiresInSeconds: 60 });
    expect((await fetch(signed.url, { method: 'PUT', headers: signed.headers, body: 'hello' })).status).toBe(200);
  };

  /** Expired uploads with and without bytes, a fresh one, a linked ready item, an orphan and a foreign object. */
  async function scenario() {
    const user = await mediaUser(h);
    const body = { kind: 'document', contentType: 'text/plain', sizeBytes: 100, fileName: 'n.txt' };
    const uploaded = (await user.request(body)).json();
    await fetch(uploaded.upload.url, { method: 'PUT', headers: uploaded.upload.headers, body: fileOf('text/plain', 100) });
    const abandoned = (await user.request(body)).json();
    const fresh = (await user.request(body)).json();
    const photo = await user.upload('photo', 'image/png');
    await user.patch({ profile: { photo: { id: photo.id } } });
    await expire(uploaded.id, 2 * 3600_000);
    await expire(abandoned.id, 2 * 3600_000);
    const orphan = `media/${'0'.repeat(32)}/${randomUUID()}`;
    const foreign = `exports/${randomUUID()}.csv`;
    await putObject(orphan);
    await putObject(foreign);
    return { user, uploaded, abandoned, fresh, photo, orphan, foreign };
  }

  it('reports without removing anything by default, removes with apply, and then has nothing left to do', async () => {
    const s = await scenario();
    const options = { graceSeconds: 0 };

    const dry = await cleanupMedia(h.t.db, h.storage, { ...options, apply: false });
    expect(dry.applied).toBe(false);
    expect(dry.expiredUploads.map((u) => u.id).sort()).toEqual([s.uploaded.id, s.abandoned.id].sort());
    expect(dry.expiredUploads.every((u) => !u.removed)).toBe(true);
    expect(dry.unreferencedObjects.map((o) => o.key)).toContain(s.orphan);
    expect(dry.unreferencedObjects.map((o) => o.key)).not.toContain(s.foreign);
    expect(await rowExists(s.uploaded.id)).toBe(true);
    expect(await h.storage.head(s.orphan)).not.toBeNull();

    const applied = await cleanupMedia(h.t.db, h.storage, { ...options, apply: true });
    expect(applied.failures).toEqual([]);
    expect(applied.expiredUploads.filter((u) => u.removed).map((u) => u.id).sort()).toEqual([s.uploaded.id, s.abandoned.id].sort());
    expect(applied.unreferencedObjects.find((o) => o.key === s.orphan)?.removed).toBe(true);
    expect(await rowExists(s.uploaded.id)).toBe(false);
    expect(await rowExists(s.abandoned.id)).toBe(false);
    expect(await h.storage.head(keyOf(s.uploaded.upload.url))).toBeNull();
    expect(await h.storage.head(s.orphan)).toBeNull();

    // Untouched: the fresh upload, the linked photo and its object, objects outside media/.
    expect(await rowExists(s.fresh.id)).toBe(true);
    expect((await s.user.document()).json().profile.photo.id).toBe(s.photo.id);
    expect((await s.user.get(s.photo.id)).json().status).toBe('ready');
    expect(await h.storage.head(s.foreign)).not.toBeNull();

    const again = await cleanupMedia(h.t.db, h.storage, { ...options, apply: false });
    expect(again.expiredUploads).toEqual([]);
    expect(again.unreferencedObjects).toEqual([]);
  });

  it('leaves alone what is within the grace period (an upload may still be arriving)', async () => {
    const user = await mediaUser(h);
    const recent = (await user.request({ kind: 'document', contentType: 'text/plain', sizeBytes: 10, fileName: 'n.txt' })).json();
    await expire(recent.id, 60_000);
    const orphan = `media/${'1'.repeat(32)}/${randomUUID()}`;
    await putObject(orphan);
    const report = await cleanupMedia(h.t.db, h.storage, { apply: true });
    expect(report.expiredUploads.map((u) => u.id)).not.toContain(recent.id);
    expect(report.unreferencedObjects.map((o) => o.key)).not.toContain(orphan);
    expect(await rowExists(recent.id)).toBe(true);
  });

  it('a pending upload completed while cleanup runs is kept', async () => {
    const user = await mediaUser(h);
    const bytes = fileOf('text/plain', 50);
    const started = (await user.request({ kind: 'document', contentType: 'text/plain', sizeBytes: 50, fileName: 'n.txt' })).json();
    await fetch(started.upload.url, { method: 'PUT', headers: started.upload.headers, body: bytes });
    await expire(started.id, 2 * 3600_000);
    const racing = cleanupMedia(h.t.db, h.storage, { apply: true });
    const completed = await user.complete(started.id);
    await racing;
    if (completed.statusCode === 200) {
      expect(await rowExists(started.id)).toBe(true);
      expect(await h.storage.head(keyOf(started.upload.url))).not.toBeNull();
    } else {
      expect(completed.statusCode).toBe(404);
      expect(await rowExists(started.id)).toBe(false);
    }
  });

  describe('profile-service media cleanup', () => {
    const cli = async (args: string[]) => {
      const env = {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: h.t.url,
        S3_BUCKET: h.s3.bucket,
        S3_REGION: h.s3.region,
        S3_ENDPOINT: h.s3.endpoint,
        S3_FORCE_PATH_STYLE: 'true',
        // s3rver's built-in account, through the AWS SDK's default chain as in production.
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        LOG_LEVEL: 'warn',
      };
      try {
        const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'media', ...args], { env, timeout: 60_000 });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const e = error as { code?: number; stdout?: string; stderr?: string };
        return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
      }
    };

    it('is a dry run unless --apply; --json prints the report', async () => {
      const user = await mediaUser(h);
      const started = (await user.request({ kind: 'document', contentType: 'text/plain', sizeBytes: 10, fileName: 'n.txt' })).json();
      await expire(started.id, 2 * 3600_000);

      const dry = await cli(['cleanup']);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toMatch(/dry run/);
      expect(dry.stdout).toContain(started.id);
      expect(await rowExists(started.id)).toBe(true);

      const applied = await cli(['cleanup', '--apply', '--json']);
      expect(applied.code, applied.stderr).toBe(0);
      const report = JSON.parse(applied.stdout);
      expect(report.applied).toBe(true);
      expect(report.expiredUploads).toContainEqual(expect.objectContaining({ id: started.id, removed: true }));
      expect(await rowExists(started.id)).toBe(false);
    });

    it('exits non-zero on bad arguments and when the store cannot be reached', async () => {
      expect((await cli(['cleanup', '--force'])).code).toBe(1);
      expect((await cli(['purge'])).code).toBe(1);
      const unreachable = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'media', 'cleanup'], {
        env: {
          PATH: process.env.PATH ?? '',
          DATABASE_URL: h.t.url,
          S3_BUCKET: 'b',
          S3_REGION: 'us-east-1',
          S3_ENDPOINT: 'http://127.0.0.1:1',
          S3_FORCE_PATH_STYLE: 'true',
          AWS_ACCESS_KEY_ID: 'S3RVER',
          AWS_SECRET_ACCESS_KEY: 'S3RVER',
        },
        timeout: 60_000,
      }).then(
        () => 0,
        (e: { code?: number }) => e.code,
      );
      expect(unreachable).toBe(1);
    });
  });
});
