import { afterAll, describe, expect, it } from 'vitest';
import { createS3Storage } from '../../../src/media/index.js';
import { expiresAt, parseSignedUrl, signatureValid } from './sigv4.js';

/**
 * s3rver does not check signatures, so what S3 would enforce is checked here:
 * an independent SigV4 verifier (sigv4.ts) decides whether the URLs the
 * adapter presigns accept a request, and which changes to the request make
 * S3 refuse it. No network: presigning is local.
 */
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SIGNED_AT = new Date('2026-03-01T12:00:00Z');
const storage = createS3Storage({
  bucket: 'profile-media-prod',
  region: 'eu-west-1',
  serverSideEncryption: 'AES256',
  credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET },
  clock: () => SIGNED_AT,
});
afterAll(() => storage.close());

const KEY = 'media/0123456789abcdef0123456789abcdef/5b0c6a2e-8a0c-4e0b-9f3e-2f1d7c1a9b10';

async function upload(overrides: Partial<{ contentType: string; sizeBytes: number; expiresInSeconds: number }> = {}) {
  return storage.presignUpload({ key: KEY, contentType: 'image/png', sizeBytes: 48_213, expiresInSeconds: 300, ...overrides });
}

/** The PUT a well-behaved client sends: the returned headers, and a body of the declared length. */
function put(url: string, headers: Record<string, string>, contentLength = '48213') {
  return { method: 'PUT', url, headers: { ...headers, 'Content-Length': contentLength } };
}

describe('presigned upload URL', () => {
  it('is accepted for exactly the declared request (the verifier itself works)', async () => {
    const signed = await upload();
    expect(signed.method).toBe('PUT');
    expect(signed.headers).toEqual({ 'Content-Type': 'image/png', 'x-amz-server-side-encryption': 'AES256' });
    expect(signatureValid(put(signed.url, signed.headers), SECRET)).toBe(true);
    expect(signatureValid(put(signed.url, signed.headers), 'another secret')).toBe(false);
  });

  it('signs the content type, the content length, the host and the encryption header', async () => {
    const { url } = await upload();
    expect(parseSignedUrl(url).signedHeaders).toEqual(['content-length', 'content-type', 'host', 'x-amz-server-side-encryption']);
  });

  it('is refused for another content type', async () => {
    const signed = await upload();
    expect(signatureValid(put(signed.url, { ...signed.headers, 'Content-Type': 'text/html' }), SECRET)).toBe(false);
    expect(signatureValid(put(signed.url, { ...signed.headers, 'Content-Type': 'image/jpeg' }), SECRET)).toBe(false);
  });

  it('is refused for another length, larger or smaller', async () => {
    const signed = await upload();
    expect(signatureValid(put(signed.url, signed.headers, '48214'), SECRET)).toBe(false);
    expect(signatureValid(put(signed.url, signed.headers, '1'), SECRET)).toBe(false);
    expect(signatureValid(put(signed.url, signed.headers, '5368709120'), SECRET)).toBe(false);
  });

  it('is refused without the encryption header or with another method', async () => {
    const signed = await upload();
    const { 'x-amz-server-side-encryption': _sse, ...withoutSse } = signed.headers;
    expect(signatureValid(put(signed.url, withoutSse), SECRET)).toBe(false);
    expect(signatureValid({ ...put(signed.url, signed.headers), method: 'POST' }, SECRET)).toBe(false);
  });

  it('binds the expiry: the signature covers X-Amz-Date and X-Amz-Expires, and expiresAt is when S3 stops accepting it', async () => {
    const signed = await upload({ expiresInSeconds: 300 });
    const parts = parseSignedUrl(signed.url);
    expect(parts.expiresSeconds).toBe(300);
    expect(parts.date).toBe('20260301T120000Z');
    expect(expiresAt(signed.url)).toEqual(new Date('2026-03-01T12:05:00Z'));
    expect(signed.expiresAt).toEqual(expiresAt(signed.url));

    const longer = new URL(signed.url);
    longer.searchParams.set('X-Amz-Expires', '604800');
    expect(signatureValid(put(longer.toString(), signed.headers), SECRET)).toBe(false);
    const later = new URL(signed.url);
    later.searchParams.set('X-Amz-Date', '20260301T130000Z');
    expect(signatureValid(put(later.toString(), signed.headers), SECRET)).toBe(false);
  });

  it('is bound to its object key', async () => {
    const signed = await upload();
    const other = signed.url.replace(KEY, KEY.replace(/.$/, '1'));
    expect(other).not.toBe(signed.url);
    expect(signatureValid(put(other, signed.headers), SECRET)).toBe(false);
  });

  it('carries no checksum of an empty body (which no real upload would match)', async () => {
    const { url } = await upload();
    const names = [...new URL(url).searchParams.keys()].map((k) => k.toLowerCase());
    expect(names.filter((n) => n.includes('checksum'))).toEqual([]);
  });

  it('without encryption configured, neither signs nor asks for the encryption header', async () => {
    const plain = createS3Storage({
      bucket: 'b',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:4569',
      forcePathStyle: true,
      serverSideEncryption: null,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      clock: () => SIGNED_AT,
    });
    try {
      const signed = await plain.presignUpload({ key: KEY, contentType: 'application/pdf', sizeBytes: 10, expiresInSeconds: 60 });
      expect(signed.url.startsWith(`http://127.0.0.1:4569/b/${KEY}?`)).toBe(true);
      expect(signed.headers).toEqual({ 'Content-Type': 'application/pdf' });
      expect(parseSignedUrl(signed.url).signedHeaders).toEqual(['content-length', 'content-type', 'host']);
      expect(signatureValid(put(signed.url, signed.headers, '10'), 'S3RVER')).toBe(true);
    } finally {
      plain.close();
    }
  });
});

describe('presigned download URL', () => {
  const disposition = `attachment; filename="cv.pdf"; filename*=UTF-8''cv.pdf`;

  it('is a GET of the key that expires, with the Content-Disposition S3 will answer with bound into it', async () => {
    const signed = await storage.presignDownload({ key: KEY, expiresInSeconds: 120, contentDisposition: disposition });
    const get = { method: 'GET', url: signed.url, headers: {} };
    expect(signatureValid(get, SECRET)).toBe(true);
    expect(parseSignedUrl(signed.url).signedHeaders).toEqual(['host']);
    expect(new URL(signed.url).searchParams.get('response-content-disposition')).toBe(disposition);
    expect(signed.expiresAt).toEqual(new Date('2026-03-01T12:02:00Z'));
    expect(expiresAt(signed.url)).toEqual(signed.expiresAt);

    const inline = new URL(signed.url);
    inline.searchParams.set('response-content-disposition', 'inline');
    expect(signatureValid({ ...get, url: inline.toString() }, SECRET)).toBe(false);
    expect(signatureValid({ ...get, method: 'PUT' }, SECRET)).toBe(false);
  });
});
