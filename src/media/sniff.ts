/**
 * Does the start of an object look like the type it was declared as? S3
 * stores whatever Content-Type the uploader sent (the presigned URL binds
 * the header, not the bytes), so a "photo" could be an HTML page. Checking
 * the magic numbers keeps that out of the database. `text/plain` has no
 * magic number: it must be UTF-8 without NUL bytes.
 */
export const SNIFF_BYTES = 512;

const MAGIC: Readonly<Record<string, (head: Uint8Array) => boolean>> = {
  'image/jpeg': (h) => startsWith(h, [0xff, 0xd8, 0xff]),
  'image/png': (h) => startsWith(h, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'image/webp': (h) => ascii(h, 0, 4) === 'RIFF' && ascii(h, 8, 12) === 'WEBP',
  'application/pdf': (h) => ascii(h, 0, 5) === '%PDF-',
  // DOCX is a ZIP container (Office Open XML).
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': (h) => startsWith(h, [0x50, 0x4b, 0x03, 0x04]),
  'text/plain': isUtf8Text,
};

/** True when `head` (the first bytes of the object) fits `contentType`; false for an unknown type. */
export function looksLike(contentType: string, head: Uint8Array): boolean {
  const check = MAGIC[contentType];
  return check !== undefined && check(head);
}

function startsWith(head: Uint8Array, bytes: readonly number[]): boolean {
  return head.length >= bytes.length && bytes.every((byte, i) => head[i] === byte);
}

function ascii(head: Uint8Array, from: number, to: number): string {
  return head.length >= to ? String.fromCharCode(...head.subarray(from, to)) : '';
}

function isUtf8Text(head: Uint8Array): boolean {
  if (head.includes(0)) return false;
  try {
    // stream: a multi-byte character cut off at the end of the sample is fine.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}
