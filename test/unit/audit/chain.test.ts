import { describe, expect, it } from 'vitest';
import {
  AUDIT_KEY_BYTES,
  chainTimestamp,
  eventHash,
  GENESIS_PREV_HASH,
  newAuditKey,
  valueDigest,
  type ChainedEventFields,
} from '../../../src/audit/index.js';

const key = Buffer.alloc(AUDIT_KEY_BYTES, 1);

const event: ChainedEventFields = {
  userId: '01900000-0000-7000-8000-000000000001',
  seq: 2,
  prevHash: 'a'.repeat(64),
  occurredAt: new Date('2025-01-31T09:30:00.123Z'),
  actor: { type: 'user', id: '01900000-0000-7000-8000-000000000001' },
  source: 'api',
  action: 'profile.updated',
  version: 2,
  requestId: 'req-1',
  changes: [{ path: '/profile/givenName', from: valueDigest(key, null), to: valueDigest(key, 'Ada') }],
};

describe('valueDigest', () => {
  it('is base64url HMAC-SHA256 over the canonical value', () => {
    expect(valueDigest(key, 'Ada')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(valueDigest(key, { b: 1, a: 2 })).toBe(valueDigest(key, { a: 2, b: 1 }));
    expect(valueDigest(key, '1990-12-10')).not.toBe(valueDigest(key, '1990-12-11'));
  });

  it('depends on the key: without it a digest cannot be matched to a guessed value', () => {
    const other = Buffer.alloc(AUDIT_KEY_BYTES, 2);
    expect(valueDigest(key, 'GB')).not.toBe(valueDigest(other, 'GB'));
    expect(valueDigest(newAuditKey(), 'GB')).not.toBe(valueDigest(newAuditKey(), 'GB'));
    expect(newAuditKey()).toHaveLength(32);
  });
});

describe('eventHash (format 1)', () => {
  it('is 64 hex digits, stable, and independent of the order fields are given in', () => {
    const hash = eventHash(event);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const reordered = Object.fromEntries(Object.entries(event).reverse()) as unknown as ChainedEventFields;
    expect(eventHash(reordered)).toBe(hash);
    expect(eventHash(event, 1)).toBe(hash);
  });

  it('is SHA-256 of exactly the documented canonical object', async () => {
    const { createHash } = await import('node:crypto');
    const c = event.changes as { path: string; from: string; to: string }[];
    const text =
      `{"action":"profile.updated","actor":{"id":"${event.actor.id}","type":"user"},` +
      `"changes":[{"from":"${c[0]!.from}","path":"/profile/givenName","to":"${c[0]!.to}"}],` +
      `"format":1,"occurredAt":"2025-01-31T09:30:00.123Z","prevHash":"${'a'.repeat(64)}",` +
      `"requestId":"req-1","seq":2,"source":"api","userId":"${event.userId}","version":2}`;
    expect(eventHash(event)).toBe(createHash('sha256').update(text).digest('hex'));
  });

  const variations: [string, Partial<ChainedEventFields>][] = [
    ['userId', { userId: '01900000-0000-7000-8000-000000000002' }],
    ['seq', { seq: 3 }],
    ['prevHash', { prevHash: GENESIS_PREV_HASH }],
    ['occurredAt (one millisecond)', { occurredAt: new Date('2025-01-31T09:30:00.124Z') }],
    ['actor.type', { actor: { type: 'admin', id: event.actor.id } }],
    ['actor.id', { actor: { type: 'user', id: null } }],
    ['source', { source: 'cli' }],
    ['action', { action: 'profile.deleted' }],
    ['version', { version: 3 }],
    ['requestId', { requestId: null }],
    ['a change path', { changes: [{ path: '/profile/familyName', from: valueDigest(key, null), to: valueDigest(key, 'Ada') }] }],
    ['a change digest', { changes: [{ path: '/profile/givenName', from: valueDigest(key, null), to: valueDigest(key, 'Eve') }] }],
    ['the number of changes', { changes: [] }],
  ];
  it.each(variations)('changes when %s changes', (_name, change) => {
    expect(eventHash({ ...event, ...change })).not.toBe(eventHash(event));
  });

  it('hashes occurredAt as RFC 3339 UTC with milliseconds', () => {
    expect(chainTimestamp(new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 6)))).toBe('2025-01-02T03:04:05.006Z');
    expect(() => chainTimestamp(new Date(NaN))).toThrow();
  });
});
