import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { checkUploadRequest, contentDisposition, newObjectKey, ownerPrefix, type MediaLimits } from '../../../src/media/index.js';

const limits: MediaLimits = {
  maxBytes: { photo: 1000, resume: 2000, document: 3000 },
  maxPendingPerUser: 2,
  maxItemsPerUser: 3,
  uploadUrlSeconds: 300,
  downloadUrlSeconds: 300,
};
const USER = '0190a0b1-1c2d-7e3f-8a4b-5c6d7e8f9a0b';
const pointers = (input: Parameters<typeof checkUploadRequest>[0]) => checkUploadRequest(input, limits).errors.map((e) => e.pointer);

describe('upload request rules', () => {
  it.each([
    ['photo', 'image/jpeg'],
    ['photo', 'image/png'],
    ['photo', 'image/webp'],
    ['resume', 'application/pdf'],
    ['resume', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['resume', 'text/plain'],
    ['document', 'application/pdf'],
    ['document', 'text/plain'],
  ] as const)('a %s may be %s', (kind, contentType) => {
    expect(pointers({ kind, contentType, sizeBytes: 10, fileName: 'a' })).toEqual([]);
  });

  it.each([
    ['photo', 'application/pdf'],
    ['photo', 'image/gif'],
    ['photo', 'image/svg+xml'],
    ['resume', 'image/png'],
    ['resume', 'text/html'],
    ['document', 'application/msword'],
    ['document', 'text/plain; charset=utf-8'],
  ] as const)('a %s may not be %s', (kind, contentType) => {
    expect(pointers({ kind, contentType, sizeBytes: 10, fileName: 'a' })).toEqual(['/contentType']);
  });

  it('compares content types case-insensitively and signs the canonical form', () => {
    const { request, errors } = checkUploadRequest({ kind: 'photo', contentType: ' Image/PNG ', sizeBytes: 10, fileName: 'a.png' }, limits);
    expect(errors).toEqual([]);
    expect(request.contentType).toBe('image/png');
  });

  it('limits the size per kind', () => {
    expect(pointers({ kind: 'photo', contentType: 'image/png', sizeBytes: 1000, fileName: 'a' })).toEqual([]);
    expect(pointers({ kind: 'photo', contentType: 'image/png', sizeBytes: 1001, fileName: 'a' })).toEqual(['/sizeBytes']);
    expect(pointers({ kind: 'resume', contentType: 'application/pdf', sizeBytes: 2000, fileName: 'a' })).toEqual([]);
    expect(pointers({ kind: 'document', contentType: 'application/pdf', sizeBytes: 3001, fileName: 'a' })).toEqual(['/sizeBytes']);
  });

  it.each(['../etc/passwd', 'a\\b.pdf', 'line\nbreak.pdf', 'nul\u0000.pdf', '   ', '..'])('refuses the file name %j', (fileName) => {
    expect(pointers({ kind: 'resume', contentType: 'application/pdf', sizeBytes: 10, fileName })).toEqual(['/fileName']);
  });

  it('reports every broken rule at once', () => {
    expect(pointers({ kind: 'photo', contentType: 'text/plain', sizeBytes: 5000, fileName: 'x/y' })).toEqual(['/contentType', '/sizeBytes', '/fileName']);
  });
});

describe('object keys', () => {
  it('are media/{owner hash}/{random uuid}: nothing from the client, nothing guessable, no collisions', () => {
    const keys = Array.from({ length: 1000 }, () => newObjectKey(USER));
    expect(new Set(keys).size).toBe(1000);
    for (const key of keys) expect(key).toMatch(/^media\/[0-9a-f]{32}\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(keys[0]!.split('/')[1]).toBe(ownerPrefix(USER));
    expect(keys[0]).not.toContain(USER);
    expect(ownerPrefix(USER)).not.toBe(ownerPrefix('0190a0b1-1c2d-7e3f-8a4b-5c6d7e8f9a0c'));
  });
});

describe('Content-Disposition of downloads', () => {
  it('shows photos inline and offers documents as attachments, with the name in RFC 8187 form', () => {
    expect(contentDisposition('photo', 'me.png')).toBe(`inline; filename="me.png"; filename*=UTF-8''me.png`);
    expect(contentDisposition('resume', 'Lebenslauf Müller (2026).pdf')).toBe(
      `attachment; filename="Lebenslauf M_ller (2026).pdf"; filename*=UTF-8''Lebenslauf%20M%C3%BCller%20%282026%29.pdf`,
    );
  });

  it('cannot be broken out of by quotes or separators in the name', () => {
    const header = contentDisposition('document', 'a"; filename=evil.html; x=".pdf');
    expect(header).toBe(`attachment; filename="a__ filename=evil.html_ x=_.pdf"; filename*=UTF-8''a%22%3B%20filename%3Devil.html%3B%20x%3D%22.pdf`);
  });
});

describe('media configuration', () => {
  const base = { DATABASE_URL: 'postgres://x@127.0.0.1/x' };

  it('has safe defaults: limits per kind, short URLs, SSE-S3 unless switched off explicitly', () => {
    const config = loadConfig(base);
    expect(config.media).toEqual({
      maxBytes: { photo: 5 * 1024 * 1024, resume: 10 * 1024 * 1024, document: 20 * 1024 * 1024 },
      maxPendingPerUser: 5,
      maxItemsPerUser: 50,
      uploadUrlSeconds: 300,
      downloadUrlSeconds: 300,
    });
    expect(config.s3.serverSideEncryption).toBe('AES256');
    expect(loadConfig({ ...base, S3_SERVER_SIDE_ENCRYPTION: 'none' }).s3.serverSideEncryption).toBeNull();
  });

  it('reads every media variable', () => {
    const config = loadConfig({
      ...base,
      MEDIA_PHOTO_MAX_BYTES: '1000',
      MEDIA_RESUME_MAX_BYTES: '2000',
      MEDIA_DOCUMENT_MAX_BYTES: '3000',
      MEDIA_MAX_PENDING_PER_USER: '2',
      MEDIA_MAX_ITEMS_PER_USER: '3',
      MEDIA_UPLOAD_URL_SECONDS: '60',
      MEDIA_DOWNLOAD_URL_SECONDS: '90',
    });
    expect(config.media).toEqual({ ...limits, uploadUrlSeconds: 60, downloadUrlSeconds: 90 });
  });

  it('reports every bad media variable in one message', () => {
    const bad = {
      ...base,
      S3_BUCKET: 'b',
      S3_SERVER_SIDE_ENCRYPTION: 'aws:kms',
      MEDIA_PHOTO_MAX_BYTES: '0',
      MEDIA_UPLOAD_URL_SECONDS: '86400',
      MEDIA_MAX_ITEMS_PER_USER: 'many',
    };
    expect(() => loadConfig(bad)).toThrow(/S3_REGION[\s\S]*S3_SERVER_SIDE_ENCRYPTION[\s\S]*MEDIA_PHOTO_MAX_BYTES[\s\S]*MEDIA_MAX_ITEMS_PER_USER[\s\S]*MEDIA_UPLOAD_URL_SECONDS/);
  });
});
