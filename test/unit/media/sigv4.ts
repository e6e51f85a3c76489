import { createHash, createHmac } from 'node:crypto';

/**
 * An independent AWS Signature Version 4 check of a presigned S3 URL (query
 * authentication, UNSIGNED-PAYLOAD), written from the AWS documentation
 * rather than with the SDK, so that the tests do not trust the code they
 * test. Given the request a client would send, it answers whether S3 would
 * accept the signature.
 */
export interface PresentedRequest {
  method: string;
  url: string;
  /** The headers the client sends (any case). `host` is taken from the URL. */
  headers: Record<string, string>;
}

export interface SignedUrlParts {
  signedHeaders: string[];
  date: string;
  expiresSeconds: number;
  credentialScope: string;
  accessKeyId: string;
}

export function parseSignedUrl(url: string): SignedUrlParts {
  const query = new URL(url).searchParams;
  const credential = query.get('X-Amz-Credential') ?? '';
  const [accessKeyId = '', ...scope] = credential.split('/');
  return {
    signedHeaders: (query.get('X-Amz-SignedHeaders') ?? '').split(';'),
    date: query.get('X-Amz-Date') ?? '',
    expiresSeconds: Number(query.get('X-Amz-Expires')),
    credentialScope: scope.join('/'),
    accessKeyId,
  };
}

export function signatureValid(request: PresentedRequest, secretAccessKey: string): boolean {
  const url = new URL(request.url);
  const query = url.searchParams;
  const provided = query.get('X-Amz-Signature');
  const { signedHeaders, date, credentialScope } = parseSignedUrl(request.url);
  const headers = new Map(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v.trim().replace(/\s+/g, ' ')]));
  headers.set('host', url.host);
  if (signedHeaders.some((name) => !headers.has(name))) return false;

  const canonicalQuery = [...query.entries()]
    .filter(([key]) => key !== 'X-Amz-Signature')
    .map(([key, value]) => [rfc3986(key), rfc3986(value)] as const)
    .sort(([a, av], [b, bv]) => (a === b ? compare(av, bv) : compare(a, b)))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
  const canonicalRequest = [
    request.method,
    url.pathname,
    canonicalQuery,
    ...signedHeaders.map((name) => `${name}:${headers.get(name)}`),
    '',
    signedHeaders.join(';'),
    'UNSIGNED-PAYLOAD',
  ].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', date, credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const [day = '', region = '', service = ''] = credentialScope.split('/');
  const key = [day, region, service, 'aws4_request'].reduce<Buffer>((k, part) => hmac(k, part), Buffer.from(`AWS4${secretAccessKey}`));
  return hmac(key, stringToSign).toString('hex') === provided;
}

/** When S3 stops accepting the URL: X-Amz-Date + X-Amz-Expires. */
export function expiresAt(url: string): Date {
  const { date, expiresSeconds } = parseSignedUrl(url);
  const iso = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`;
  return new Date(Date.parse(iso) + expiresSeconds * 1000);
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function hmac(key: Buffer, value: string): Buffer {
  return createHmac('sha256', key).update(value).digest();
}
