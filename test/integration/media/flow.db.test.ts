import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents, verifyAuditChains } from '../../../src/audit/index.js';
import { buildTestApp } from '../../helpers/app.js';
import { fileOf, mediaUser, startMediaHarness, type MediaHarness } from './helpers.js';

/**
 * The media endpoints through the real app, against a real s3rver: the
 * client PUTs to the presigned URL exactly as a browser or app would.
 */
describe('/v1/me/media against s3rver', () => {
  let h: MediaHarness;
  beforeAll(async () => {
    h = await startMediaHarness({ MEDIA_PHOTO_MAX_BYTES: '100000', MEDIA_MAX_PENDING_PER_USER: '3', MEDIA_MAX_ITEMS_PER_USER: '4' });
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('the whole flow', () => {
    it('request → PUT → complete → download is byte-identical; delete removes the object and the reference', async () => {
      const user = await mediaUser(h);
      const bytes = fileOf('application/pdf', 50_000);

      const started = await user.request({ kind: 'resume', contentType: 'application/pdf', sizeBytes: bytes.length, fileName: 'Ada Lovelace CV.pdf' });
      expect(started.statusCode).toBe(201);
      const pending = started.json();
      expect(started.headers.location).toBe(`/v1/me/media/${pending.id}`);
      expect(started.headers['cache-control']).toBe('private, no-store');
      expect(pending).toMatchObject({ status: 'pending', kind: 'resume', contentType: 'application/pdf', sizeBytes: 50_000, fileName: 'Ada Lovelace CV.pdf', completedAt: null });
      expect(pending.upload).toMatchObject({ method: 'PUT', headers: { 'Content-Type': 'application/pdf' } });
      expect(pending.upload.url.startsWith(`${h.s3.endpoint}/${h.s3.bucket}/media/`)).toBe(true);
      expect(pending.upload.url).not.toContain('Ada');
      expect(Date.parse(pending.upload.expiresAt) - Date.now()).toBeLessThanOrEqual(300_000);
      expect(pending.uploadExpiresAt).toBe(pending.upload.expiresAt);
      expect((await user.get(pending.id)).json()).not.toHaveProperty('downloadUrl');

      const put = await fetch(pending.upload.url, { method: 'PUT', headers: pending.upload.headers, body: bytes });
      expect(put.status).toBe(200);

      const completed = await user.complete(pending.id);
      expect(completed.statusCode).toBe(200);
      const ready = completed.json();
      expect(ready).toMatchObject({ id: pending.id, status: 'ready', uploadExpiresAt: null, completedAt: expect.any(String) });

      const fetched = await user.get(pending.id);
      expect(fetched.statusCode).toBe(200);
      const download = await fetch(fetched.json().downloadUrl);
      expect(download.status).toBe(200);
      expect(download.headers.get('content-type')).toBe('application/pdf');
      expect(download.headers.get('content-disposition')).toBe(`attachment; filename="Ada Lovelace CV.pdf"; filename*=UTF-8''Ada%20Lovelace%20CV.pdf`);
      expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);

      const removed = await user.remove(pending.id);
      expect(removed.statusCode).toBe(204);
      expect((await user.get(pending.id)).statusCode).toBe(404);
      expect((await fetch(fetched.json().downloadUrl)).status).toBe(404);
      const key = new URL(pending.upload.url).pathname.replace(`/${h.s3.bucket}/`, '');
      expect(await h.storage.head(key)).toBeNull();
      expect(await h.t.db.selectFrom('media').select('id').where('id', '=', pending.id).execute()).toEqual([]);
    });

    it('completing is versioned and audited as media.added, deleting as media.deleted; requesting an upload is neither', async () => {
      const user = await mediaUser(h);
      const bytes = fileOf('image/png', 1000);
      const started = (await user.request({ kind: 'photo', contentType: 'image/png', sizeBytes: 1000, fileName: 'me.png' })).json();
      expect((await user.document()).json().version).toBe(1);

      await fetch(started.upload.url, { method: 'PUT', headers: started.upload.headers, body: bytes });
      expect((await user.complete(started.id)).statusCode).toBe(200);
      expect((await user.complete(started.id)).statusCode).toBe(200);
      expect((await user.document()).json().version).toBe(2);
      expect((await user.remove(started.id)).statusCode).toBe(204);
      expect((await user.document()).json().version).toBe(3);

      const events = await listAuditEvents(h.t.db, user.id);
      expect(events.map((e) => [e.action, e.version])).toEqual([['media.deleted', 3], ['media.added', 2], ['user.provisioned', 1]]);
      const value = { kind: 'photo', contentType: 'image/png', sizeBytes: 1000, fileName: 'me.png' };
      expect(events[1]).toMatchObject({ actor: { type: 'user', id: user.id }, source: 'api', changes: [{ path: `/media/${started.id}`, from: null, to: value }] });
      expect(events[0]!.changes).toEqual([{ path: `/media/${started.id}`, from: value, to: null, redacted: false }]);
      expect(events[1]!.requestId).toBeTruthy();
      const history = (await h.api.app.inject({ method: 'GET', url: '/v1/me/history', headers: user.headers })).json();
      expect(history.items.map((i: { action: string }) => i.action)).toEqual(['media.deleted', 'media.added', 'user.provisioned']);
      expect((await verifyAuditChains(h.t.db, { userId: user.id })).problems).toEqual([]);
    });

    it('deleting a pending upload records nothing and removes whatever was uploaded', async () => {
      const user = await mediaUser(h);
      const bytes = fileOf('text/plain', 100);
      const started = (await user.request({ kind: 'document', contentType: 'text/plain', sizeBytes: 100, fileName: 'notes.txt' })).json();
      await fetch(started.upload.url, { method: 'PUT', headers: started.upload.headers, body: bytes });
      expect((await user.remove(started.id)).statusCode).toBe(204);
      expect((await user.document()).json().version).toBe(1);
      expect(await h.storage.head(new URL(started.upload.url).pathname.replace(`/${h.s3.bucket}/`, ''))).toBeNull();
    });

    it('lists the caller\'s items newest first, filtered by kind or status, ready ones with a download URL', async () => {
      const user = await mediaUser(h);
      const photo = await user.upload('photo', 'image/jpeg');
      const doc = await user.upload('document', 'text/plain');
      const pending = (await user.request({ kind: 'resume', contentType: 'application/pdf', sizeBytes: 10, fileName: 'cv.pdf' })).json();

      const all = (await user.list()).json().items;
      expect(all.map((i: { id: string }) => i.id)).toEqual([pending.id, doc.id, photo.id]);
      expect(all[0]).not.toHaveProperty('downloadUrl');
      expect(all[1].downloadUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
      expect((await user.list('?kind=photo')).json().items.map((i: { id: string }) => i.id)).toEqual([photo.id]);
      expect((await user.list('?status=pending')).json().items.map((i: { id: string }) => i.id)).toEqual([pending.id]);
      expect((await user.list('?kind=video')).statusCode).toBe(400);

      const other = await mediaUser(h);
      expect((await other.list()).json().items).toEqual([]);
    });
  });

  describe('refusals', () => {
    it('complete before upload: 409 not-uploaded, and the item stays pending', async () => {
      const user = await mediaUser(h);
      const started = (await user.request({ kind: 'photo', contentType: 'image/png', sizeBytes: 500, fileName: 'a.png' })).json();
      const res = await user.complete(started.id);
      expect(res.statusCode).toBe(409);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ status: 409, type: 'urn:profile-service:problem:not-uploaded' });
      expect((await user.get(started.id)).json().status).toBe('pending');
    });

    it('wrong size: 422 upload-mismatch pointing at /sizeBytes', async () => {
      const user = await mediaUser(h);
      const started = (await user.request({ kind: 'photo', contentType: 'image/png', sizeBytes: 500, fileName: 'a.png' })).json();
      // s3rver does not check signatures; S3 would refuse this PUT (the length is signed).
      await fetch(started.upload.url, { method: 'PUT', headers: started.upload.headers, body: fileOf('image/png', 501) });
      const res = await user.complete(started.id);
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ type: 'urn:profile-service:problem:upload-mismatch', errors: [{ pointer: '/sizeBytes' }] });
      expect((await user.get(started.id)).json().status).toBe('pending');
    });

    it('wrong type: 422 upload-mismatch pointing at /contentType', async () => {
      const user = await mediaUser(h);
      const started = (await user.request({ kind: 'photo', contentType: 'image/png', sizeBytes: 500, fileName: 'a.png' })).json();
      await fetch(started.upload.url, { method: 'PUT', headers: { 'Content-Type': 'text/html' }, body: fileOf('image/png', 500) });
      const res = await user.complete(started.id);
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ type: 'urn:profile-service:problem:upload-mismatch', errors: [{ pointer: '/contentType' }] });
    });

    it('content that is not of the declared type (an HTML page sent as image/png): 422', async () => {
      const user = await mediaUser(h);
      const html = Buffer.from('<!DOCTYPE html><script>alert(document.cookie)</script>');
      const started = (await user.request({ kind: 'photo', contentType: 'image/png', sizeBytes: html.length, fileName: 'a.png' })).json();
      await fetch(started.upload.url, { method: 'PUT', headers: started.upload.headers, body: html });
      const res = await user.complete(started.id);
      expect(res.statusCode).toBe(422);
      expect(res.json().errors).toEqual([{ pointer: '/contentType', message: expect.stringContaining('not image/png') }]);
    });

    it("someone else's media id: 404 for GET, complete and DELETE, exactly as for an id that does not exist", async () => {
      const owner = await mediaUser(h);
      const other = await mediaUser(h);
      const { id } = await owner.upload('photo', 'image/webp');
      for (const res of [await other.get(id), await other.complete(id), await other.remove(id)]) {
        expect(res.statusCode).toBe(404);
        expect(res.json()).toEqual((await other.get(randomUUID())).json());
      }
      expect((await owner.get(id)).statusCode).toBe(200);
    });

    it('a malformed id is a 400', async () => {
      const user = await mediaUser(h);
      expect((await user.get('not-a-uuid')).statusCode).toBe(400);
      expect((await user.complete('1234')).statusCode).toBe(400);
    });

    it.each([
      ['a type the kind does not allow', { kind: 'photo', contentType: 'application/pdf', sizeBytes: 10, fileName: 'a.pdf' }, ['/contentType']],
      ['a photo over its size limit', { kind: 'photo', contentType: 'image/png', sizeBytes: 100_001, fileName: 'a.png' }, ['/sizeBytes']],
      ['a path as the file name', { kind: 'resume', contentType: 'application/pdf', sizeBytes: 10, fileName: '../../x.pdf' }, ['/fileName']],
      ['an unknown kind', { kind: 'video', contentType: 'video/mp4', sizeBytes: 10, fileName: 'a.mp4' }, ['/kind']],
      ['a size of zero', { kind: 'resume', contentType: 'application/pdf', sizeBytes: 0, fileName: 'a.pdf' }, ['/sizeBytes']],
      ['a size as a string', { kind: 'resume', contentType: 'application/pdf', sizeBytes: '10', fileName: 'a.pdf' }, ['/sizeBytes']],
      ['a missing file name', { kind: 'resume', contentType: 'application/pdf', sizeBytes: 10 }, ['/fileName']],
      ['an unknown member', { kind: 'resume', contentType: 'application/pdf', sizeBytes: 10, fileName: 'a.pdf', objectKey: 'media/x' }, ['/objectKey']],
    ])('request with %s: 422 with the pointer', async (_name, body, pointers) => {
      const user = await mediaUser(h);
      const res = await user.request(body);
      expect(res.statusCode).toBe(422);
      expect(res.json().errors.map((e: { pointer: string }) => e.pointer)).toEqual(pointers);
      expect((await user.list()).json().items).toEqual([]);
    });

    it('a body that is not an object is a 400', async () => {
      const user = await mediaUser(h);
      expect((await user.request([1, 2])).statusCode).toBe(400);
    });

    it('per-user limits: pending uploads and items in total; 409 media-limit, and deleting makes room', async () => {
      const user = await mediaUser(h);
      const body = { kind: 'document', contentType: 'text/plain', sizeBytes: 10, fileName: 'n.txt' };
      const first = (await user.request(body)).json();
      expect((await user.request(body)).statusCode).toBe(201);
      expect((await user.request(body)).statusCode).toBe(201);
      const refused = await user.request(body);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().type).toBe('urn:profile-service:problem:media-limit');

      await user.remove(first.id);
      await user.upload('document', 'text/plain');
      // 2 pending + 1 ready: one more fits the total of 4, then no more.
      expect((await user.request(body)).statusCode).toBe(201);
      expect((await user.request(body)).json().type).toBe('urn:profile-service:problem:media-limit');
    });

    it('concurrent requests cannot overshoot the pending limit', async () => {
      const user = await mediaUser(h);
      const body = { kind: 'document', contentType: 'text/plain', sizeBytes: 10, fileName: 'n.txt' };
      const results = await Promise.all(Array.from({ length: 8 }, () => user.request(body)));
      expect(results.filter((r) => r.statusCode === 201)).toHaveLength(3);
      expect(results.filter((r) => r.statusCode === 409)).toHaveLength(5);
    });

    it('without a media store the routes answer 501 media-not-configured', async () => {
      const bare = await buildTestApp(h.t.db);
      try {
        const res = await bare.app.inject({ method: 'GET', url: '/v1/me/media', headers: { authorization: `Bearer ${bare.tokenFor(`x-${randomUUID()}`)}` } });
        expect(res.statusCode).toBe(501);
        expect(res.json().type).toBe('urn:profile-service:problem:media-not-configured');
      } finally {
        await bare.close();
      }
    });

    it('a store that cannot be reached: 503 with Retry-After', async () => {
      const user = await mediaUser(h);
      const started = (await user.request({ kind: 'photo', contentType: 'image/png', sizeBytes: 500, fileName: 'a.png' })).json();
      const { localS3Storage } = await import('../../../src/dev/s3.js');
      const gone = localS3Storage({ endpoint: 'http://127.0.0.1:1', bucket: h.s3.bucket, region: h.s3.region });
      const down = await buildTestApp(h.t.db, {}, { mediaStorage: gone });
      try {
        const res = await down.app.inject({ method: 'POST', url: `/v1/me/media/${started.id}/complete`, headers: user.headers });
        expect(res.statusCode).toBe(503);
        expect(res.headers['retry-after']).toBe('1');
      } finally {
        await down.close();
        gone.close();
      }
    });
  });
});
