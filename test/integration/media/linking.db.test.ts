import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantRole } from '../../../src/access/index.js';
import { listAuditEvents, verifyAuditChains } from '../../../src/audit/index.js';
import { mediaUser, startMediaHarness, type MediaHarness } from './helpers.js';

const URL_MEMBERS = ['downloadUrl', 'downloadUrlExpiresAt'];

/** The document without the members added when serving (download URLs). */
function stored(document: Record<string, any>) {
  const strip = (ref: Record<string, unknown> | null) => (ref === null ? null : Object.fromEntries(Object.entries(ref).filter(([k]) => !URL_MEMBERS.includes(k))));
  return { ...document, profile: { ...document.profile, photo: strip(document.profile.photo) }, jobSeeker: { ...document.jobSeeker, resume: strip(document.jobSeeker.resume) } };
}

describe('profile.photo and jobSeeker.resume', () => {
  let h: MediaHarness;
  beforeAll(async () => {
    h = await startMediaHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('PATCH links a ready item; the document shows the reference and a download URL of the same bytes', async () => {
    const user = await mediaUser(h);
    const photo = await user.upload('photo', 'image/jpeg', 'portrait.jpg');
    const res = await user.patch({ profile: { photo: { id: photo.id } } });
    expect(res.statusCode, res.body).toBe(200);
    const doc = res.json();
    expect(doc.version).toBe(3);
    expect(doc.profile.photo).toEqual({
      id: photo.id,
      kind: 'photo',
      contentType: 'image/jpeg',
      sizeBytes: photo.bytes.length,
      fileName: 'portrait.jpg',
      downloadUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//),
      downloadUrlExpiresAt: expect.any(String),
    });
    expect(res.headers['cache-control']).toBe('private, no-store');
    const got = await fetch(doc.profile.photo.downloadUrl);
    expect(got.headers.get('content-disposition')).toMatch(/^inline;/);
    expect(Buffer.from(await got.arrayBuffer()).equals(photo.bytes)).toBe(true);
    expect(stored((await user.document()).json())).toEqual(stored(doc));

    const events = await listAuditEvents(h.t.db, user.id);
    expect(events[0]).toMatchObject({ action: 'profile.updated', version: 3 });
    expect(events[0]!.changes).toContainEqual(expect.objectContaining({ path: '/profile/photo/id', from: null, to: photo.id }));
  });

  it('snapshots hold the reference but never a URL; versions/{n} serves the snapshot (plus a URL while the item exists)', async () => {
    const user = await mediaUser(h);
    const resume = await user.upload('resume', 'application/pdf', 'cv.pdf');
    const doc = (await user.patch({ jobSeeker: { resume: { id: resume.id } } })).json();
    const [snapshot] = await h.t.db.selectFrom('profile_versions').select('document').where('user_id', '=', user.id).where('version', '=', doc.version).execute();
    const saved = snapshot!.document as Record<string, any>;
    expect(saved.jobSeeker.resume).toEqual({ id: resume.id, kind: 'resume', contentType: 'application/pdf', sizeBytes: resume.bytes.length, fileName: 'cv.pdf' });
    expect(JSON.stringify(saved)).not.toContain('X-Amz-Signature');
    expect(saved).toEqual(stored(doc));

    const version = await h.api.app.inject({ method: 'GET', url: `/v1/users/${user.id}/versions/${doc.version}`, headers: user.headers });
    expect(version.statusCode).toBe(200);
    expect(stored(version.json())).toEqual(saved);
    expect(version.json().jobSeeker.resume.downloadUrl).toEqual(expect.any(String));
  });

  it('a photo id as resume, a pending item, an unknown id and another user\'s item are each refused with 422 at the pointer', async () => {
    const user = await mediaUser(h);
    const other = await mediaUser(h);
    const photo = await user.upload('photo', 'image/png');
    const theirs = await other.upload('resume', 'application/pdf');
    const pending = (await user.request({ kind: 'resume', contentType: 'application/pdf', sizeBytes: 10, fileName: 'cv.pdf' })).json();

    const refusal = async (body: unknown) => {
      const res = await user.patch(body);
      expect(res.statusCode).toBe(422);
      return res.json().errors;
    };
    expect(await refusal({ jobSeeker: { resume: { id: photo.id } } })).toEqual([{ pointer: '/jobSeeker/resume/id', message: 'must be a resume; this item is a photo' }]);
    expect(await refusal({ jobSeeker: { resume: { id: pending.id } } })).toEqual([{ pointer: '/jobSeeker/resume/id', message: expect.stringContaining('not complete') }]);
    const unknown = await refusal({ jobSeeker: { resume: { id: randomUUID() } } });
    expect(await refusal({ jobSeeker: { resume: { id: theirs.id } } })).toEqual(unknown);
    expect(await refusal({ profile: { photo: { id: theirs.id } } })).toEqual([{ pointer: '/profile/photo/id', message: unknown[0].message }]);
    expect((await user.document()).json()).toMatchObject({ version: 2, profile: { photo: null }, jobSeeker: { resume: null } });
  });

  it('the patch shape is { id } (a uuid) or null', async () => {
    const user = await mediaUser(h);
    for (const body of [{ profile: { photo: 'x' } }, { profile: { photo: { id: 'nope' } } }, { profile: { photo: { id: randomUUID(), kind: 'photo' } } }]) {
      expect((await user.patch(body)).statusCode).toBe(422);
    }
  });

  it('replacing a resume keeps the old one retrievable until it is deleted; unlinking keeps the item', async () => {
    const user = await mediaUser(h);
    const first = await user.upload('resume', 'application/pdf', 'cv-2025.pdf');
    const second = await user.upload('resume', 'text/plain', 'cv-2026.txt');
    await user.patch({ jobSeeker: { resume: { id: first.id } } });
    const replaced = (await user.patch({ jobSeeker: { resume: { id: second.id } } })).json();
    expect(replaced.jobSeeker.resume).toMatchObject({ id: second.id, contentType: 'text/plain', fileName: 'cv-2026.txt' });

    const old = (await user.get(first.id)).json();
    expect(Buffer.from(await (await fetch(old.downloadUrl)).arrayBuffer()).equals(first.bytes)).toBe(true);
    const resumes = (await user.list('?kind=resume')).json().items.map((i: { id: string }) => i.id);
    expect(resumes).toEqual([second.id, first.id]);

    const history = (await h.api.app.inject({ method: 'GET', url: '/v1/me/history?limit=1', headers: user.headers })).json();
    expect(history.items[0].changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/jobSeeker/resume/id', from: first.id, to: second.id }),
        expect.objectContaining({ path: '/jobSeeker/resume/fileName', from: 'cv-2025.pdf', to: 'cv-2026.txt' }),
      ]),
    );

    const unlinked = (await user.patch({ jobSeeker: { resume: null } })).json();
    expect(unlinked.jobSeeker.resume).toBeNull();
    expect((await user.get(second.id)).statusCode).toBe(200);
  });

  it('deleting a linked item unlinks it in the same versioned, audited change', async () => {
    const user = await mediaUser(h);
    const photo = await user.upload('photo', 'image/png', 'me.png');
    const linked = (await user.patch({ profile: { photo: { id: photo.id }, headline: 'Engineer' } })).json();
    expect((await user.remove(photo.id)).statusCode).toBe(204);

    const after = (await user.document()).json();
    expect(after.version).toBe(linked.version + 1);
    expect(after.profile).toMatchObject({ photo: null, headline: 'Engineer' });
    const [event] = await listAuditEvents(h.t.db, user.id, { limit: 1 });
    expect(event).toMatchObject({ action: 'media.deleted', version: after.version, actor: { type: 'user', id: user.id } });
    expect(event!.changes.map((c) => c.path)).toEqual([
      '/profile/photo/contentType',
      '/profile/photo/fileName',
      '/profile/photo/id',
      '/profile/photo/kind',
      '/profile/photo/sizeBytes',
      `/media/${photo.id}`,
    ]);
    const [snapshot] = await h.t.db.selectFrom('profile_versions').select('document').where('user_id', '=', user.id).where('version', '=', after.version).execute();
    expect((snapshot!.document as any).profile.photo).toBeNull();
    expect((await verifyAuditChains(h.t.db, { userId: user.id })).problems).toEqual([]);
  });

  it('the export lists the media items (metadata, no URLs)', async () => {
    const user = await mediaUser(h);
    const photo = await user.upload('photo', 'image/png', 'me.png');
    const exported = (await h.api.app.inject({ method: 'GET', url: '/v1/me/export', headers: user.headers })).json();
    expect(exported.media).toEqual([
      { id: photo.id, kind: 'photo', status: 'ready', contentType: 'image/png', sizeBytes: photo.bytes.length, fileName: 'me.png', createdAt: expect.any(String), completedAt: expect.any(String) },
    ]);
  });

  describe('the database refuses bad links by itself', () => {
    it('no link to another user\'s item, to the wrong kind or to a pending item; no deleting a linked item', async () => {
      const user = await mediaUser(h);
      const other = await mediaUser(h);
      const photo = await user.upload('photo', 'image/png');
      const resume = await user.upload('resume', 'application/pdf');
      const theirs = await other.upload('photo', 'image/png');
      const pending = (await user.request({ kind: 'photo', contentType: 'image/png', sizeBytes: 10, fileName: 'p.png' })).json();
      const link = (column: 'photo', id: string) => h.t.db.updateTable('profiles').set({ [`${column}_media_id`]: id }).where('user_id', '=', user.id).execute();

      await expect(link('photo', theirs.id)).rejects.toThrow(/foreign key|must name/);
      await expect(link('photo', resume.id)).rejects.toThrow(/must name a ready photo/);
      await expect(link('photo', pending.id)).rejects.toThrow(/must name a ready photo/);
      await expect(h.t.db.updateTable('job_seeker_profiles').set({ resume_media_id: photo.id }).where('user_id', '=', user.id).execute()).rejects.toThrow(
        /must name a ready resume/,
      );

      await link('photo', photo.id);
      await expect(h.t.db.deleteFrom('media').where('id', '=', photo.id).execute()).rejects.toThrow(/foreign key/);
      await expect(h.t.db.updateTable('media').set({ status: 'pending', completed_at: null }).where('id', '=', photo.id).execute()).rejects.toThrow(
        /cannot change/,
      );
      await expect(h.t.db.updateTable('media').set({ kind: 'resume' }).where('id', '=', photo.id).execute()).rejects.toThrow(/cannot change/);
    });

    it('deleting a user still removes their profile and media together', async () => {
      const user = await mediaUser(h);
      const photo = await user.upload('photo', 'image/png');
      expect((await user.patch({ profile: { photo: { id: photo.id } } })).statusCode).toBe(200);
      await h.t.db.deleteFrom('users').where('id', '=', user.id).execute();
      const left = await sql<{ n: number }>`select count(*)::int as n from media where user_id = ${user.id}`.execute(h.t.db);
      expect(left.rows[0]!.n).toBe(0);
    });
  });

  it('an administrator reading a user\'s version also gets URLs only for items that still exist', async () => {
    const user = await mediaUser(h);
    const admin = await mediaUser(h);
    await grantRole(h.t.db, admin.id, 'support');
    const photo = await user.upload('photo', 'image/png');
    const linked = (await user.patch({ profile: { photo: { id: photo.id } } })).json();
    await user.remove(photo.id);
    const old = await h.api.app.inject({ method: 'GET', url: `/v1/users/${user.id}/versions/${linked.version}`, headers: admin.headers });
    expect(old.statusCode).toBe(200);
    expect(old.json().profile.photo).toEqual({ id: photo.id, kind: 'photo', contentType: 'image/png', sizeBytes: photo.bytes.length, fileName: 'file-photo' });
  });
});
