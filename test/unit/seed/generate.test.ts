import { describe, expect, it } from 'vitest';
import { eventHash, GENESIS_PREV_HASH } from '../../../src/audit/index.js';
import { copyText, generateBatch, SEED_ACTION, SEED_ACTOR, UserGenerator } from '../../../src/seed/index.js';
import { seededEventHash } from '../../../src/seed/generate.js';

describe('seed generator', () => {
  it("writes the seeded event's hash exactly as eventHash() computes it", () => {
    const userId = '01890a5d-ac96-774b-bcce-b302099a8057';
    const at = new Date('2025-03-04T05:06:07.089Z');
    expect(seededEventHash(userId, at.toISOString())).toBe(
      eventHash({
        userId,
        seq: 1,
        prevHash: GENESIS_PREV_HASH,
        occurredAt: at,
        actor: { type: 'system', id: SEED_ACTOR },
        source: SEED_ACTOR,
        action: SEED_ACTION,
        version: 1,
        requestId: null,
        changes: [],
      }),
    );
  });

  it('produces one row per user in each one-row table, with as many columns as declared', () => {
    const batch = new UserGenerator({ issuer: 'urn:test', now: new Date('2026-11-29T00:00:00Z'), spanDays: 730, seed: 1 }).batch(500);
    expect(batch.userIds).toHaveLength(500);
    expect(new Set(batch.userIds).size).toBe(500);
    for (const table of ['users', 'identities', 'profiles', 'preferences', 'job_seeker_profiles', 'user_roles', 'audit_events', 'user_search'] as const) {
      const lines = batch.data[table].trimEnd().split('\n');
      expect(lines, table).toHaveLength(500);
    }
    const ids = batch.data.users.trimEnd().split('\n').map((line) => line.split('\t')[0]);
    expect(ids).toEqual(batch.userIds);
    for (const id of batch.userIds) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('in a run of known size, users come in sign-up order across batches, spread over the whole span', () => {
    const now = Date.parse('2026-11-29T00:00:00Z');
    const spec = { issuer: 'urn:test', nowMs: now, spanDays: 730, seed: 3, size: 400, total: 1200 };
    const created = [0, 1, 2].flatMap((index) =>
      generateBatch({ ...spec, index, firstSerial: index * 400 })
        .data.users.trimEnd()
        .split('\n')
        .map((line) => Date.parse(line.split('\t')[3]!)),
    );
    expect(created).toHaveLength(1200);
    expect(created).toEqual([...created].sort((a, b) => a - b));
    expect(Math.min(...created)).toBeLessThan(now - 700 * 86_400_000);
    expect(Math.max(...created)).toBeGreaterThan(now - 86_400_000);
    // Growth: more sign-ups in the last year than in the year before.
    const lastYear = created.filter((t) => t > now - 365 * 86_400_000).length;
    expect(lastYear).toBeGreaterThan(1200 * 0.65);
  });

  it('escapes COPY text', () => {
    expect(copyText('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyText('plain')).toBe('plain');
  });
});

describe('nameTokens', () => {
  it('splits on whitespace and punctuation, lower-cases, drops one-letter words, sorts by code point', async () => {
    const { nameTokens } = await import('../../../src/seed/generate.js');
    expect(nameTokens(['James', 'Smith', 'James S.', 'Senior Data Analyst at Globex'])).toEqual(['analyst', 'at', 'data', 'globex', 'james', 'senior', 'smith']);
    expect(nameTokens(['Élodie', null, 'van den Berg'])).toEqual(['berg', 'den', 'van', 'élodie']);
  });
});
