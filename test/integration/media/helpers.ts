import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { localS3Storage, startLocalS3, type LocalS3 } from '../../../src/dev/s3.js';
import type { S3Storage } from '../../../src/media/index.js';
import { buildTestApp, type TestApp } from '../../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';

/** Real first bytes of each type, padded to `size` (the content checks look at the start only). */
export function fileOf(contentType: string, size = 2048): Buffer {
  const magic: Record<string, Buffer> = {
    'image/jpeg': Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
    'image/png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    'image/webp': Buffer.concat([Buffer.from('RIFF'), Buffer.from([0, 0, 0, 0]), Buffer.from('WEBP')]),
    'application/pdf': Buffer.from('%PDF-1.7\n'),
    'text/plain': Buffer.from('plain text\n'),
  };
  const head = magic[contentType] ?? Buffer.alloc(0);
  const body = Buffer.alloc(size, 0x41);
  head.copy(body);
  // Distinct bytes on every call, so "byte-identical" means something.
  Buffer.from(randomUUID()).copy(body, Math.min(size - 36, 64));
  return body;
}

/** A test database, a real s3rver in a temporary directory and the API using both. */
export interface MediaHarness {
  t: TestDatabase;
  s3: LocalS3;
  storage: S3Storage;
  api: TestApp;
  close(): Promise<void>;
}

export async function startMediaHarness(env: Record<string, string> = {}): Promise<MediaHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'profile-service-s3-'));
  const t = await createTestDatabase();
  const s3 = await startLocalS3({ dir, host: '127.0.0.1', port: 0 });
  const storage = localS3Storage(s3);
  const api = await buildTestApp(t.db, env, { mediaStorage: storage });
  return {
    t,
    s3,
    storage,
    api,
    async close() {
      await api.close();
      storage.close();
      await s3.stop();
      await t.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A signed-in user of the harness' API, with helpers for the media flow. */
export async function mediaUser(h: MediaHarness) {
  const token = h.api.tokenFor(`media-${randomUUID()}`);
  const headers = { authorization: `Bearer ${token}` };
  const me = await h.api.app.inject({ method: 'GET', url: '/v1/me', headers });
  expect(me.statusCode).toBe(200);
  const user = {
    token,
    id: me.json().id as string,
    headers,
    request: (body: unknown) =>
      h.api.app.inject({ method: 'POST', url: '/v1/me/media', headers: { ...headers, 'content-type': 'application/json' }, payload: JSON.stringify(body) }),
    complete: (id: string) => h.api.app.inject({ method: 'POST', url: `/v1/me/media/${id}/complete`, headers }),
    get: (id: string) => h.api.app.inject({ method: 'GET', url: `/v1/me/media/${id}`, headers }),
    list: (query = '') => h.api.app.inject({ method: 'GET', url: `/v1/me/media${query}`, headers }),
    remove: (id: string) => h.api.app.inject({ method: 'DELETE', url: `/v1/me/media/${id}`, headers }),
    document: () => h.api.app.inject({ method: 'GET', url: '/v1/me', headers }),
    patch: (body: unknown) =>
      h.api.app.inject({ method: 'PATCH', url: '/v1/me', headers: { ...headers, 'content-type': 'application/merge-patch+json' }, payload: JSON.stringify(body) }),
    /** The whole flow: request, PUT the bytes, complete. Returns the ready item and the bytes. */
    async upload(kind: 'photo' | 'resume' | 'document', contentType: string, fileName = `file-${kind}`) {
      const bytes = fileOf(contentType);
      const started = await user.request({ kind, contentType, sizeBytes: bytes.length, fileName });
      expect(started.statusCode, started.body).toBe(201);
      const { id, upload } = started.json();
      const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: bytes });
      expect(put.status).toBe(200);
      const completed = await user.complete(id);
      expect(completed.statusCode, completed.body).toBe(200);
      return { id: id as string, item: completed.json(), bytes };
    },
  };
  return user;
}
