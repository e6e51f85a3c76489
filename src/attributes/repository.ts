import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { AttributeDefinitionRow, AttributeDefinitionVersionRow, Visibility } from './model.js';

/** The columns a PUT writes, already normalised. */
export interface DefinitionColumns {
  schema: Record<string, unknown>;
  description: string;
  personalData: boolean;
  visibility: Visibility;
}

export async function selectDefinitions(db: Kysely<Database>): Promise<AttributeDefinitionRow[]> {
  return db.selectFrom('attribute_definitions').selectAll().orderBy('key').execute();
}

/** `forUpdate`: lock the row until the transaction ends (a PUT). */
export async function selectDefinition(
  db: Kysely<Database>,
  key: string,
  options: { forUpdate?: boolean } = {},
): Promise<AttributeDefinitionRow | undefined> {
  const query = db.selectFrom('attribute_definitions').selectAll().where('key', '=', key);
  return (options.forUpdate ? query.forUpdate() : query).executeTakeFirst();
}

/**
 * The definitions of `keys`, each row share-locked until the transaction
 * ends: a PUT (which takes `FOR UPDATE`) cannot change a definition between
 * a value being validated against it and that value being committed.
 */
export async function selectDefinitionsForShare(db: Kysely<Database>, keys: readonly string[]): Promise<Map<string, AttributeDefinitionRow>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .selectFrom('attribute_definitions')
    .selectAll()
    .where('key', 'in', [...keys])
    .orderBy('key')
    .forShare()
    .execute();
  return new Map(rows.map((row) => [row.key, row]));
}

/** Inserts version 1; undefined when a concurrent transaction created the key first. */
export async function insertDefinition(db: Kysely<Database>, key: string, columns: DefinitionColumns): Promise<AttributeDefinitionRow | undefined> {
  return db
    .insertInto('attribute_definitions')
    .values({ key, version: 1, ...toColumns(columns) })
    .onConflict((oc) => oc.column('key').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function updateDefinition(
  db: Kysely<Database>,
  key: string,
  columns: DefinitionColumns,
  version: number,
): Promise<AttributeDefinitionRow> {
  return db
    .updateTable('attribute_definitions')
    .set({ ...toColumns(columns), version, updated_at: sql<Date>`now()` })
    .where('key', '=', key)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertDefinitionVersion(db: Kysely<Database>, row: AttributeDefinitionRow, createdBy: string | null): Promise<void> {
  await db
    .insertInto('attribute_definition_versions')
    .values({
      key: row.key,
      version: row.version,
      schema: JSON.stringify(row.schema),
      description: row.description,
      personal_data: row.personal_data,
      visibility: row.visibility,
      created_at: row.updated_at,
      created_by: createdBy,
    })
    .execute();
}

export async function selectDefinitionVersions(db: Kysely<Database>, key: string): Promise<AttributeDefinitionVersionRow[]> {
  return db.selectFrom('attribute_definition_versions').selectAll().where('key', '=', key).orderBy('version').execute();
}

/** One page of the stored values of `key`, in user id order (keyset pagination). */
export async function selectStoredValues(
  db: Kysely<Database>,
  key: string,
  afterUserId: string | null,
  limit: number,
): Promise<{ user_id: string; value: unknown }[]> {
  let query = db.selectFrom('user_attributes').select(['user_id', 'value']).where('key', '=', key);
  if (afterUserId !== null) query = query.where('user_id', '>', afterUserId);
  return query.orderBy('user_id').limit(limit).execute();
}

export async function selectUserAttributes(
  db: Kysely<Database>,
  userId: string,
  visibilities: readonly Visibility[],
): Promise<{ key: string; value: unknown }[]> {
  return db
    .selectFrom('user_attributes as ua')
    .innerJoin('attribute_definitions as d', 'd.key', 'ua.key')
    .select(['ua.key', 'ua.value'])
    .where('ua.user_id', '=', userId)
    .where('d.visibility', 'in', [...visibilities])
    .orderBy('ua.key')
    .execute();
}

export async function upsertUserAttributes(db: Kysely<Database>, userId: string, values: readonly { key: string; value: unknown }[]): Promise<void> {
  if (values.length === 0) return;
  await db
    .insertInto('user_attributes')
    .values(values.map(({ key, value }) => ({ user_id: userId, key, value: JSON.stringify(value), updated_at: sql<Date>`now()` })))
    .onConflict((oc) =>
      oc.columns(['user_id', 'key']).doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), updated_at: eb.ref('excluded.updated_at') })),
    )
    .execute();
}

export async function deleteUserAttributes(db: Kysely<Database>, userId: string, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await db.deleteFrom('user_attributes').where('user_id', '=', userId).where('key', 'in', [...keys]).execute();
}

function toColumns(columns: DefinitionColumns) {
  return {
    schema: JSON.stringify(columns.schema),
    description: columns.description,
    personal_data: columns.personalData,
    visibility: columns.visibility,
  };
}
