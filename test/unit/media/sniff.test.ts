import { describe, expect, it } from 'vitest';
import { looksLike } from '../../../src/media/index.js';

const bytes = (...values: (number | string)[]) =>
  new Uint8Array(values.flatMap((v) => (typeof v === 'string' ? [...Buffer.from(v, 'latin1')] : [v])));

const SAMPLES = {
  'image/jpeg': bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'JFIF'),
  'image/png': bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 'IHDR'),
  'image/webp': bytes('RIFF', 0x24, 0, 0, 0, 'WEBPVP8 '),
  'application/pdf': bytes('%PDF-1.7\n'),
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': bytes('PK', 3, 4, 20, 0, 6, 0),
  'text/plain': new TextEncoder().encode('Ada Lovelace — résumé\n'),
} as const;

describe('looksLike: the first bytes of an upload against its declared type', () => {
  const types = Object.keys(SAMPLES) as (keyof typeof SAMPLES)[];

  it.each(types)('recognises %s', (type) => {
    expect(looksLike(type, SAMPLES[type])).toBe(true);
  });

  it.each(types.filter((t) => t !== 'text/plain'))('refuses anything else declared as %s', (type) => {
    for (const other of types.filter((t) => t !== type)) expect(looksLike(type, SAMPLES[other])).toBe(false);
    expect(looksLike(type, bytes('<!DOCTYPE html><script>alert(1)</script>'))).toBe(false);
    expect(looksLike(type, new Uint8Array())).toBe(false);
  });

  it('takes text/plain only as UTF-8 without NUL bytes, even cut mid-character', () => {
    expect(looksLike('text/plain', SAMPLES['image/png'])).toBe(false);
    expect(looksLike('text/plain', bytes('abc', 0, 'def'))).toBe(false);
    expect(looksLike('text/plain', bytes('abc', 0xc3))).toBe(true);
    expect(looksLike('text/plain', bytes('abc', 0xc3, 0x28))).toBe(false);
  });

  it('knows no other type', () => {
    expect(looksLike('image/gif', bytes('GIF89a'))).toBe(false);
  });
});
