import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadAttributes,
  putAttributeDefinition,
  validateAttributePatch,
  writeAttributes,
  type WriteAudience,
} from '../../../src/attributes/index.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { createUser, type TestUser } from './helpers.js';

describe('attribute values', () => {
  let t: TestDatabase;
  let admin: TestUser;

  beforeAll(async () => {
    t = await createTestDatabase();
    admin = await createUser(t.db, 'admin');
    const define = (key: string, schema: Record<string, unknown>, visibility: 'self' | 'admins' | 'public') =>
      putAttributeDefinition(t.db, key, { schema, personalData: visibility !== 'public', visibility }, admin.userId);
    await define('shirtSize', { type: 'string', enum: ['S', 'M', 'L'] }, 'self');
    await define('nickname', { type: 'string', maxLength: 20 }, 'public');
    await define('riskScore', { type: 'integer', minimum: 0, maximum: 100 }, 'admins');
    await define(
      'address',
      {
        type: 'object',
        properties: {
          street: { type: 'string' },
          postcode: { type: 'string', pattern: '^[0-9]{5}$' },
          geo: { type: 'object', properties: { lat: { type: 'number' } }, additionalProperties: false },
        },
        required: ['street'],
        additionalProperties: false,
      },
      'self',
    );
  });
  afterAll(async () => {
    await t?.drop();
  });

  const validate = (current: Record<string, unknown>, patch: unknown, audience: WriteAudience = 'self') =>
    t.db.transaction().execute((trx) => validateAttributePatch(trx, current, patch, audience));

  describe('validateAttributePatch', () => {
    it('accepts valid values and merges objects (RFC 7396)', async () => {
      const current = { shirtSize: 'S', address: { street: 'Main St', postcode: '12345' } };
      const { next, errors } = await validate(current, { shirtSize: 'M', nickname: 'ada', address: { postcode: null, geo: { lat: 1.5 } } });
      expect(errors).toEqual([]);
      expect(next).toEqual({ shirtSize: 'M', nickname: 'ada', address: { street: 'Main St', geo: { lat: 1.5 } } });
      expect(current).toEqual({ shirtSize: 'S', address: { street: 'Main St', postcode: '12345' } });
    });

    it('leaves everything as it is when the patch has no attributes', async () => {
      expect(await validate({ shirtSize: 'S' }, undefined)).toEqual({ next: { shirtSize: 'S' }, errors: [] });
    });

    it('refuses an unknown key', async () => {
      const { errors } = await validate({}, { shoeSize: 42 });
      expect(errors).toEqual([{ pointer: '/attributes/shoeSize', message: 'is not a defined attribute' }]);
    });

    it('refuses a value of the wrong type', async () => {
      const { errors } = await validate({}, { nickname: 42 });
      expect(errors).toEqual([{ pointer: '/attributes/nickname', message: 'must be string' }]);
    });

    it('points into a nested value', async () => {
      const { errors } = await validate({}, { address: { street: 'x', postcode: 'abc', geo: { lat: 'north', lon: 1 } } });
      expect(errors).toEqual(
        expect.arrayContaining([
          { pointer: '/attributes/address/postcode', message: expect.stringMatching(/pattern/) },
          { pointer: '/attributes/address/geo/lat', message: 'must be number' },
          { pointer: '/attributes/address/geo/lon', message: 'is not allowed' },
        ]),
      );
      expect(errors).toHaveLength(3);
    });

    it('validates the merged value, not the patch alone', async () => {
      const { errors } = await validate({ address: { street: 'Main St' } }, { address: { street: null, postcode: '12345' } });
      expect(errors).toEqual([{ pointer: '/attributes/address/street', message: 'is required' }]);
    });

    it('refuses an admins-only key written (or removed) by the user, and lets an admin write it', async () => {
      expect((await validate({}, { riskScore: 5 })).errors).toEqual([{ pointer: '/attributes/riskScore', message: 'is not writable by the user' }]);
      expect((await validate({ riskScore: 5 }, { riskScore: null })).errors).toEqual([
        { pointer: '/attributes/riskScore', message: 'is not writable by the user' },
      ]);
      expect(await validate({}, { riskScore: 5 }, 'admin')).toEqual({ next: { riskScore: 5 }, errors: [] });
      expect((await validate({}, { riskScore: 500 }, 'admin')).errors).toEqual([{ pointer: '/attributes/riskScore', message: 'must be <= 100' }]);
    });

    it('a member set to null removes it', async () => {
      expect(await validate({ shirtSize: 'S', nickname: 'ada' }, { shirtSize: null })).toEqual({ next: { nickname: 'ada' }, errors: [] });
    });

    it('attributes: null removes everything the writer may write', async () => {
      const current = { shirtSize: 'S', nickname: 'ada', riskScore: 5 };
      expect(await validate(current, null, 'self')).toEqual({ next: { riskScore: 5 }, errors: [] });
      expect(await validate(current, null, 'admin')).toEqual({ next: {}, errors: [] });
    });

    it('reports every error at once', async () => {
      const { errors } = await validate({}, { shoeSize: 1, nickname: 'x'.repeat(21), riskScore: 1, shirtSize: 'XXL', address: {} });
      expect(errors.map((e) => e.pointer).sort()).toEqual(
        ['/attributes/address/street', '/attributes/nickname', '/attributes/riskScore', '/attributes/shirtSize', '/attributes/shoeSize'].sort(),
      );
    });

    it('refuses a patch that is not an object, values jsonb cannot store, and oversized values', async () => {
      expect((await validate({}, ['shirtSize'])).errors).toEqual([{ pointer: '/attributes', message: 'must be object or null' }]);
      expect((await validate({}, { nickname: 'a\u0000' })).errors.map((e) => e.pointer)).toEqual(['/attributes/nickname']);
      const tooMany = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, 1]));
      expect((await validate({}, tooMany)).errors).toEqual([{ pointer: '/attributes', message: 'must NOT have more than 1000 members' }]);
      await putAttributeDefinition(t.db, 'notes', { schema: { type: 'array', items: { type: 'string' } }, personalData: true, visibility: 'self' }, null);
      const big = Array.from({ length: 2000 }, () => 'note-text');
      expect((await validate({}, { notes: big })).errors).toEqual([{ pointer: '/attributes/notes', message: expect.stringMatching(/16384 bytes/) }]);
    });
  });

  describe('loadAttributes and writeAttributes', () => {
    it('each audience sees only what its visibility allows', async () => {
      const user = await createUser(t.db);
      await t.db.transaction().execute((trx) =>
        writeAttributes(trx, user.userId, {}, { shirtSize: 'L', nickname: 'ada', riskScore: 7 }),
      );
      expect(await loadAttributes(t.db, user.userId, 'admin')).toEqual({ shirtSize: 'L', nickname: 'ada', riskScore: 7 });
      expect(await loadAttributes(t.db, user.userId, 'self')).toEqual({ shirtSize: 'L', nickname: 'ada' });
      expect(await loadAttributes(t.db, user.userId, 'public')).toEqual({ nickname: 'ada' });
      expect(await loadAttributes(t.db, admin.userId, 'admin')).toEqual({});
    });

    it('touches only what changed', async () => {
      const user = await createUser(t.db);
      const before = { shirtSize: 'L', nickname: 'ada', address: { street: 'a', geo: { lat: 1 } } };
      await writeAttributes(t.db, user.userId, {}, before);
      await t.db.updateTable('user_attributes').set({ updated_at: new Date('2020-01-01T00:00:00Z') }).where('user_id', '=', user.userId).execute();

      // Same address in another member order: not a change.
      const next = { nickname: 'lovelace', address: { geo: { lat: 1 }, street: 'a' }, riskScore: 1 };
      const result = await writeAttributes(t.db, user.userId, before, next);
      expect(result).toEqual({ upserted: ['nickname', 'riskScore'], removed: ['shirtSize'] });

      const rows = await t.db.selectFrom('user_attributes').select(['key', 'value', 'updated_at']).where('user_id', '=', user.userId).orderBy('key').execute();
      expect(rows.map((r) => [r.key, r.value])).toEqual([
        ['address', { street: 'a', geo: { lat: 1 } }],
        ['nickname', 'lovelace'],
        ['riskScore', 1],
      ]);
      const untouched = new Date('2020-01-01T00:00:00Z').getTime();
      expect(rows.find((r) => r.key === 'address')!.updated_at.getTime()).toBe(untouched);
      expect(rows.find((r) => r.key === 'nickname')!.updated_at.getTime()).not.toBe(untouched);
    });

    it('a full round trip: validate then write in one transaction', async () => {
      const user = await createUser(t.db);
      await t.db.transaction().execute(async (trx) => {
        const current = await loadAttributes(trx, user.userId, 'admin');
        const { next, errors } = await validateAttributePatch(trx, current, { shirtSize: 'M', address: { street: 'High St' } }, 'self');
        expect(errors).toEqual([]);
        await writeAttributes(trx, user.userId, current, next);
      });
      expect(await loadAttributes(t.db, user.userId, 'self')).toEqual({ shirtSize: 'M', address: { street: 'High St' } });
    });
  });
});
