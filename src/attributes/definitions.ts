import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { ConflictError, ValidationError, VersionMismatchError, type FieldError } from '../errors.js';
import { AttributeDefinitionNotFoundError } from './errors.js';
import { checkDefinitionSchema, withTransientValidator } from './json-schema.js';
import { hasUnstorableText, isPlainObject, sameJson } from './json.js';
import {
  ATTRIBUTE_KEY_PATTERN,
  ATTRIBUTE_LIMITS,
  toAttributeDefinition,
  toAttributeDefinitionVersion,
  VISIBILITIES,
  type AttributeDefinition,
  type AttributeDefinitionInput,
  type AttributeDefinitionRow,
  type AttributeDefinitionVersion,
} from './model.js';
import {
  insertDefinition,
  insertDefinitionVersion,
  selectDefinition,
  selectDefinitions,
  selectDefinitionVersions,
  selectStoredValues,
  updateDefinition,
  type DefinitionColumns,
} from './repository.js';

/** `If-Match` as parsed by the HTTP layer: versions, `'*'` (any), or null (absent). */
export type DefinitionPrecondition = readonly number[] | '*' | null;

export interface PutAttributeDefinitionOptions {
  precondition?: DefinitionPrecondition;
}

export interface PutAttributeDefinitionResult {
  definition: AttributeDefinition;
  /** True when this call created the definition (version 1). */
  created: boolean;
}

export async function listAttributeDefinitions(db: Kysely<Database>): Promise<AttributeDefinition[]> {
  return (await selectDefinitions(db)).map(toAttributeDefinition);
}

export async function getAttributeDefinition(db: Kysely<Database>, key: string): Promise<AttributeDefinition> {
  const row = await selectDefinition(db, key);
  if (row === undefined) throw new AttributeDefinitionNotFoundError(key);
  return toAttributeDefinition(row);
}

/** Every version of the definition, oldest first (version 1 is its creation). */
export async function listAttributeDefinitionVersions(db: Kysely<Database>, key: string): Promise<AttributeDefinitionVersion[]> {
  const rows = await selectDefinitionVersions(db, key);
  if (rows.length === 0 && (await selectDefinition(db, key)) === undefined) throw new AttributeDefinitionNotFoundError(key);
  return rows.map(toAttributeDefinitionVersion);
}

/** Every rule a key must follow, as field errors at `/key`. */
export function checkAttributeKey(key: string): FieldError[] {
  return ATTRIBUTE_KEY_PATTERN.test(key)
    ? []
    : [{ pointer: '/key', message: 'must start with a lower-case letter followed by up to 63 letters, digits or underscores' }];
}

/** Every reason `input` cannot be a definition, as field errors into the PUT body. */
export function checkAttributeDefinitionInput(input: AttributeDefinitionInput): FieldError[] {
  const errors: FieldError[] = [];
  const raw = input as unknown as Record<string, unknown>;
  if (!isPlainObject(raw)) return [{ pointer: '', message: 'must be an object' }];
  if (raw.description !== undefined) {
    if (typeof raw.description !== 'string') errors.push({ pointer: '/description', message: 'must be string' });
    else if (raw.description.length > ATTRIBUTE_LIMITS.descriptionLength) {
      errors.push({ pointer: '/description', message: `must NOT have more than ${ATTRIBUTE_LIMITS.descriptionLength} characters` });
    } else if (hasUnstorableText(raw.description)) errors.push({ pointer: '/description', message: 'must not contain NUL or unpaired surrogates' });
  }
  if (typeof raw.personalData !== 'boolean') errors.push({ pointer: '/personalData', message: 'must be boolean' });
  if (!VISIBILITIES.includes(raw.visibility as never)) {
    errors.push({ pointer: '/visibility', message: `must be one of ${VISIBILITIES.join(', ')}` });
  }
  if (hasUnstorableText(raw.schema)) errors.push({ pointer: '/schema', message: 'must not contain NUL or unpaired surrogates' });
  else errors.push(...checkDefinitionSchema(raw.schema));
  return errors;
}

/**
 * Creates or replaces the definition of `key` in one transaction.
 *
 * The row is locked (`FOR UPDATE`) first, so this PUT and every write of a
 * value of `key` (which reads the definition `FOR SHARE`) are serialised.
 * When the schema changes, every stored value is validated against the new
 * schema; if any would become invalid the PUT is refused with a
 * ConflictError naming how many and which rules, and nothing changes.
 * A PUT identical to the current definition changes nothing either.
 * Otherwise the version goes up by one and the new version is recorded in
 * `attribute_definition_versions` with `actorUserId`.
 */
export async function putAttributeDefinition(
  db: Kysely<Database>,
  key: string,
  input: AttributeDefinitionInput,
  actorUserId: string | null,
  options: PutAttributeDefinitionOptions = {},
): Promise<PutAttributeDefinitionResult> {
  const errors = [...checkAttributeKey(key), ...checkAttributeDefinitionInput(input)];
  if (errors.length > 0) throw new ValidationError(errors);
  const columns: DefinitionColumns = {
    schema: input.schema,
    description: input.description ?? '',
    personalData: input.personalData,
    visibility: input.visibility,
  };
  const precondition = options.precondition ?? null;

  return inTransaction(db, async (trx) => {
    let current = await selectDefinition(trx, key, { forUpdate: true });
    if (current === undefined) {
      checkPrecondition(precondition, undefined);
      const inserted = await insertDefinition(trx, key, columns);
      if (inserted !== undefined) {
        await insertDefinitionVersion(trx, inserted, actorUserId);
        return { definition: toAttributeDefinition(inserted), created: true };
      }
      // A concurrent PUT created it between our SELECT and INSERT: continue as an update of its row.
      current = await selectDefinition(trx, key, { forUpdate: true });
      if (current === undefined) throw new Error(`attribute definition ${key} vanished during a PUT`);
    }
    checkPrecondition(precondition, current.version);
    if (sameDefinition(current, columns)) return { definition: toAttributeDefinition(current), created: false };
    if (!sameJson(current.schema, columns.schema)) await assertStoredValuesFit(trx, key, columns.schema);
    const updated = await updateDefinition(trx, key, columns, current.version + 1);
    await insertDefinitionVersion(trx, updated, actorUserId);
    return { definition: toAttributeDefinition(updated), created: false };
  });
}

function inTransaction<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

/** RFC 9110 If-Match: `*` needs a current definition; a list needs the current version in it. */
function checkPrecondition(precondition: DefinitionPrecondition, version: number | undefined): void {
  if (precondition === null) return;
  if (version === undefined) throw new VersionMismatchError(0);
  if (precondition !== '*' && !precondition.includes(version)) throw new VersionMismatchError(version);
}

function sameDefinition(row: AttributeDefinitionRow, columns: DefinitionColumns): boolean {
  return (
    row.description === columns.description &&
    row.personal_data === columns.personalData &&
    row.visibility === columns.visibility &&
    sameJson(row.schema, columns.schema)
  );
}

const SCAN_BATCH = 500;
const REPORTED_RULES = 5;

/**
 * The compatibility rule: every stored value of `key` must satisfy the new
 * schema. The report names the schema rules that fail and how many values
 * fail each, never a user or a value (values can be personal data).
 */
async function assertStoredValuesFit(trx: Kysely<Database>, key: string, schema: Record<string, unknown>): Promise<void> {
  const { failing, rules } = await withTransientValidator(schema, async (validate) => {
    let failing = 0;
    const rules = new Map<string, { message: string; values: number }>();
    let after: string | null = null;
    for (;;) {
      const rows = await selectStoredValues(trx, key, after, SCAN_BATCH);
      for (const row of rows) {
        if (validate(row.value)) continue;
        failing += 1;
        const seen = new Set<string>();
        for (const e of validate.errors ?? []) {
          const pointer = `/schema${e.schemaPath.replace(/^#/, '')}`;
          if (seen.has(pointer)) continue;
          seen.add(pointer);
          const rule = rules.get(pointer) ?? { message: e.message ?? 'is not satisfied', values: 0 };
          rule.values += 1;
          rules.set(pointer, rule);
        }
      }
      if (rows.length < SCAN_BATCH) break;
      after = rows[rows.length - 1]!.user_id;
    }
    return { failing, rules };
  });
  if (failing === 0) return;
  const reported = [...rules]
    .sort((a, b) => b[1].values - a[1].values)
    .slice(0, REPORTED_RULES)
    .map(([pointer, rule]) => ({ pointer, message: `${rule.message} (fails for ${plural(rule.values, 'stored value')})` }));
  throw new ConflictError(
    `${plural(failing, 'stored value')} of "${key}" would become invalid under the new schema; ` +
      'change or remove those values first, then tighten the definition',
    reported,
  );
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
