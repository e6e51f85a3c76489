import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAttributes, putAttributeDefinition, validateAttributePatch, writeAttributes } from '../../../src/attributes/index.js';
import { validatorFor } from '../../../src/attributes/json-schema.js';
import type { Db } from '../../../src/db/index.js';
import { ValidationError } from '../../../src/errors.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { createUser, uniqueKey, type TestUser } from './helpers.js';

/**
 * A PUT that tightens a schema and a write of a value the tighter schema
 * refuses must never both succeed: afterwards every stored value satisfies
 * the current definition.
 */
describe('definition changes racing value writes', () => {
  let t: TestDatabase;
  let admin: TestUser;

  const wide = { schema: { type: 'integer', maximum: 10 }, personalData: false, visibility: 'self' as const };
  const tight = { schema: { type: 'integer', maximum: 5 }, personalData: false, visibility: 'self' as const };

  beforeAll(async () => {
    t = await createTestDatabase();
    admin = await createUser(t.db, 'admin');
  });
  afterAll(async () => {
    await t?.drop();
  });

  /** What PATCH /v1/me does with attributes: load, validate, write, all in one transaction. */
  const writeValue = (db: Db, userId: string, key: string, value: unknown, pause?: () => Promise<void>) =>
    db.transaction().execute(async (trx) => {
      const current = await loadAttributes(trx, userId, 'admin');
      const { next, errors } = await validateAttributePatch(trx, current, { [key]: value }, 'self');
      if (errors.length > 0) throw new ValidationError(errors);
      await pause?.();
      await writeAttributes(trx, userId, current, next);
    });

  /** Every stored value of `key` satisfies the definition's current schema. */
  const assertAllValid = async (key: string) => {
    const definition = await t.db.selectFrom('attribute_definitions').selectAll().where('key', '=', key).executeTakeFirstOrThrow();
    const validate = validatorFor(key, definition.version, definition.schema);
    const values = await t.db.selectFrom('user_attributes').select('value').where('key', '=', key).execute();
    for (const { value } of values) expect(validate(value), `stored ${JSON.stringify(value)} vs version ${definition.version}`).toBe(true);
    return { definition, values: values.map((v) => v.value) };
  };

  /** Resolves once some backend of the test database waits for a lock. */
  const someoneWaitsForALock = async () => {
    for (let i = 0; i < 200; i++) {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(t.db);
      if ((rows[0]?.n ?? 0) > 0) return;
      await sleep(25);
    }
    throw new Error('nobody waited for a lock within 5 s');
  };

  it('a PUT that starts while a write is between validation and commit waits for it, then refuses (409)', async () => {
    const key = uniqueKey('race');
    await putAttributeDefinition(t.db, key, wide, admin.userId);
    const user = await createUser(t.db);

    let put: Promise<unknown> | undefined;
    await writeValue(t.db, user.userId, key, 8, async () => {
      put = putAttributeDefinition(t.db, key, tight, admin.userId).then(
        () => 'applied',
        (error: { code?: string }) => error.code,
      );
      await someoneWaitsForALock(); // the PUT is blocked on the definition row this write share-locked
    });
    expect(await put).toBe('ERR_CONFLICT');
    const { definition, values } = await assertAllValid(key);
    expect(definition.version).toBe(1);
    expect(values).toEqual([8]);
  });

  it('a write that starts while a PUT holds the definition waits for it, then validates against the new schema (422)', async () => {
    const key = uniqueKey('race');
    await putAttributeDefinition(t.db, key, wide, admin.userId);
    const user = await createUser(t.db);

    // Play the PUT by hand so it can be held open: lock, change the schema, commit later.
    const putTrx = await t.db.startTransaction().execute();
    try {
      await putTrx.selectFrom('attribute_definitions').select('key').where('key', '=', key).forUpdate().execute();
      await putTrx
        .updateTable('attribute_definitions')
        .set({ schema: JSON.stringify(tight.schema), version: 2 })
        .where('key', '=', key)
        .execute();
      const write = writeValue(t.db, user.userId, key, 8).then(
        () => 'written',
        (error: { code?: string }) => error.code,
      );
      await someoneWaitsForALock();
      await putTrx.commit().execute();
      expect(await write).toBe('ERR_VALIDATION');
    } catch (error) {
      await putTrx.rollback().execute().catch(() => {});
      throw error;
    }
    const { definition, values } = await assertAllValid(key);
    expect(definition.version).toBe(2);
    expect(values).toEqual([]);
  });

  it('run concurrently many times, never both succeed and every stored value stays valid', async () => {
    const key = uniqueKey('race');
    const users = await Promise.all(Array.from({ length: 4 }, () => createUser(t.db)));
    const outcomes = { putWon: 0, writeWon: 0 };

    for (let round = 0; round < 15; round++) {
      // Reset: the wide schema (always compatible with values <= 10), no values.
      await t.db.deleteFrom('user_attributes').where('key', '=', key).execute();
      await putAttributeDefinition(t.db, key, wide, admin.userId);

      const jitter = () => sleep(Math.floor(Math.random() * 4));
      const writes = users.map((user) => jitter().then(() => writeValue(t.db, user.userId, key, 8)));
      const put = jitter().then(() => putAttributeDefinition(t.db, key, tight, admin.userId));
      const [putResult, ...writeResults] = await Promise.allSettled([put, ...writes]);

      const written = writeResults.filter((r) => r.status === 'fulfilled').length;
      for (const r of [putResult!, ...writeResults]) {
        if (r.status === 'rejected') expect((r.reason as { code?: string }).code).toMatch(/^ERR_(CONFLICT|VALIDATION)$/);
      }
      if (putResult!.status === 'fulfilled') {
        expect(written).toBe(0);
        outcomes.putWon += 1;
      } else {
        expect(written).toBeGreaterThan(0);
        outcomes.writeWon += 1;
      }
      await assertAllValid(key);
    }
    expect(outcomes.putWon + outcomes.writeWon).toBe(15);
  });
});
