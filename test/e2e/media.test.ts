import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevUser, freePort } from '../../src/dev/index.js';
import { startLocalStack, type LocalStack } from '../../src/dev/stack.js';

/**
 * Media on the local stack as `npm start` runs it: a user from cognito-local,
 * the API on a real socket, s3rver with its files in DATA_DIR/s3. Every
 * request goes over HTTP, the upload and download straight to s3rver through
 * the presigned URLs, as a browser or app would.
 */
describe('local stack: media upload → complete → download → delete', () => {
  let dataDir: string;
  let stack: LocalStack;
  let token: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'profile-service-e2e-media-'));
    stack = await startLocalStack({
      DATA_DIR: dataDir,
      PORT: '0',
      COGNITO_LOCAL_PORT: String(await freePort('127.0.0.1')),
      S3_LOCAL_PORT: '0',
      LOG_LEVEL: 'silent',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    const user = await createDevUser({ cognitoUrl: stack.cognitoUrl, userPoolId: stack.userPoolId, clientId: stack.clientId, email: 'media@example.com' });
    token = user.idToken;
  });
  afterAll(async () => {
    await stack?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${stack.apiUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    });

  it('the bytes downloaded through the URL are the bytes uploaded; after delete the object is gone', async () => {
    const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(200_000)]);
    const started = await api('/v1/me/media', {
      method: 'POST',
      body: JSON.stringify({ kind: 'resume', contentType: 'application/pdf', sizeBytes: bytes.length, fileName: 'cv.pdf' }),
    });
    expect(started.status).toBe(201);
    const { id, upload } = (await started.json()) as { id: string; upload: { url: string; method: string; headers: Record<string, string> } };
    expect(upload.url.startsWith(`${stack.s3Endpoint}/${stack.s3Bucket}/media/`)).toBe(true);

    const early = await api(`/v1/me/media/${id}/complete`, { method: 'POST' });
    expect(early.status).toBe(409);

    const put = await fetch(upload.url, { method: upload.method, headers: upload.headers, body: bytes });
    expect(put.status).toBe(200);
    const completed = await api(`/v1/me/media/${id}/complete`, { method: 'POST' });
    expect(completed.status).toBe(200);

    const linked = await api('/v1/me', { method: 'PATCH', body: JSON.stringify({ jobSeeker: { resume: { id } } }) });
    expect(linked.status).toBe(200);
    const document = (await linked.json()) as { jobSeeker: { resume: { id: string; downloadUrl: string } } };
    expect(document.jobSeeker.resume.id).toBe(id);

    const item = (await (await api(`/v1/me/media/${id}`)).json()) as { downloadUrl: string };
    for (const url of [item.downloadUrl, document.jobSeeker.resume.downloadUrl]) {
      const download = await fetch(url);
      expect(download.status).toBe(200);
      expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    }
    expect(await objectFilesIn(join(dataDir, 's3'))).toBeGreaterThan(0);

    expect((await api(`/v1/me/media/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(`/v1/me/media/${id}`)).status).toBe(404);
    expect((await fetch(item.downloadUrl)).status).toBe(404);
    const after = (await (await api('/v1/me')).json()) as { jobSeeker: { resume: unknown } };
    expect(after.jobSeeker.resume).toBeNull();
  });

  it('the bucket survives a restart on the same data directory', async () => {
    const bytes = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(1000)]);
    const started = (await (
      await api('/v1/me/media', { method: 'POST', body: JSON.stringify({ kind: 'photo', contentType: 'image/png', sizeBytes: bytes.length, fileName: 'me.png' }) })
    ).json()) as { id: string; upload: { url: string; headers: Record<string, string> } };
    await fetch(started.upload.url, { method: 'PUT', headers: started.upload.headers, body: bytes });
    expect((await api(`/v1/me/media/${started.id}/complete`, { method: 'POST' })).status).toBe(200);

    await stack.stop();
    stack = await startLocalStack({
      DATA_DIR: dataDir,
      PORT: '0',
      COGNITO_LOCAL_PORT: String(new URL(stack.cognitoUrl).port),
      S3_LOCAL_PORT: '0',
      LOG_LEVEL: 'silent',
    });
    const item = (await (await api(`/v1/me/media/${started.id}`)).json()) as { downloadUrl: string };
    expect(Buffer.from(await (await fetch(item.downloadUrl)).arrayBuffer()).equals(bytes)).toBe(true);
  });
});

/** How many files s3rver keeps under `dir` (it stores each object as files). */
async function objectFilesIn(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).length;
}
