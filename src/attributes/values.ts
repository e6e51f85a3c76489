import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { FieldError } from '../errors.js';
import { validatorFor, valueErrors } from './json-schema.js';
import { hasUnstorableText, isPlainObject, mergePatch, pointerToken, sameJson, setOwn, utf8Length } from './json.js';
import { ATTRIBUTE_LIMITS, isWritableBy, visibleTo, type AttributeDefinitionRow, type ReadAudience, type WriteAudience } from './model.js';
import { deleteUserAttributes, selectDefinitionsForShare, selectUserAttributes, upsertUserAttributes } from './repository.js';

export interface AttributePatchResult {
  /** The attributes after the patch (only meaningful when `errors` is empty). */
  next: Record<string, unknown>;
  /** Every problem with the patch, as pointers under `/attributes`. */
  errors: FieldError[];
}

/**
 * Applies the `attributes` member of a profile merge patch (RFC 7396) to
 * `current` and validates the result against the attribute definitions.
 *
 * * `patch` undefined: nothing to do. `null`: removes every attribute the
 *   writer may write (a user keeps the admins-only ones).
 * * A member set to null removes that attribute; an object merges into the
 *   current value; anything else replaces it.
 * * An unknown key, a key the writer may not write, and every schema
 *   violation of every changed value are reported together.
 *
 * Must run in the transaction that writes the values: the definitions read
 * stay share-locked until it ends, so a PUT that would make the new values
 * invalid either waits for it (and then sees them) or has already committed
 * (and the values are checked against its schema).
 */
export async function validateAttributePatch(
  trx: Transaction<Database>,
  current: Record<string, unknown>,
  patch: unknown,
  audience: WriteAudience,
): Promise<AttributePatchResult> {
  const next = copy(current);
  if (patch === undefined) return { next, errors: [] };
  if (patch !== null && !isPlainObject(patch)) return { next, errors: [{ pointer: '/attributes', message: 'must be object or null' }] };

  const keys = patch === null ? Object.keys(current) : Object.keys(patch);
  if (keys.length > ATTRIBUTE_LIMITS.patchMembers) {
    return { next, errors: [{ pointer: '/attributes', message: `must NOT have more than ${ATTRIBUTE_LIMITS.patchMembers} members` }] };
  }
  const definitions = await selectDefinitionsForShare(trx, keys);
  if (patch === null) {
    for (const key of keys) {
      const definition = definitions.get(key);
      if (definition !== undefined && isWritableBy(definition.visibility, audience)) delete next[key];
    }
    return { next, errors: [] };
  }

  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(patch)) {
    const pointer = `/attributes/${pointerToken(key)}`;
    const definition = definitions.get(key);
    if (definition === undefined) {
      errors.push({ pointer, message: 'is not a defined attribute' });
    } else if (!isWritableBy(definition.visibility, audience)) {
      errors.push({ pointer, message: 'is not writable by the user' });
    } else if (value === null) {
      delete next[key];
    } else {
      const merged = mergePatch(current[key], value);
      errors.push(...checkValue(definition, merged, pointer));
      setOwn(next, key, merged);
    }
  }
  return { next, errors };
}

function checkValue(definition: AttributeDefinitionRow, value: unknown, pointer: string): FieldError[] {
  if (hasUnstorableText(value)) return [{ pointer, message: 'must not contain NUL or unpaired surrogates' }];
  const bytes = utf8Length(JSON.stringify(value));
  if (bytes > ATTRIBUTE_LIMITS.valueBytes) return [{ pointer, message: `must be at most ${ATTRIBUTE_LIMITS.valueBytes} bytes as JSON` }];
  const validate = validatorFor(definition.key, definition.version, definition.schema);
  return validate(value) ? [] : valueErrors(pointer, validate.errors);
}

/** The user's attribute values that `audience` may see: self sees self + public, admin all, public only public. */
export async function loadAttributes(db: Kysely<Database>, userId: string, audience: ReadAudience): Promise<Record<string, unknown>> {
  const rows = await selectUserAttributes(db, userId, visibleTo(audience));
  const values: Record<string, unknown> = {};
  for (const row of rows) setOwn(values, row.key, row.value);
  return values;
}

export interface AttributeWrite {
  /** Keys inserted or whose value changed. */
  upserted: string[];
  removed: string[];
}

/**
 * Stores `next` where it differs from `before`: changed or new keys are
 * upserted, keys gone from `next` deleted, the rest untouched. `next` must
 * come from validateAttributePatch in the same transaction.
 */
export async function writeAttributes(
  trx: Kysely<Database>,
  userId: string,
  before: Record<string, unknown>,
  next: Record<string, unknown>,
): Promise<AttributeWrite> {
  const upserted = Object.keys(next).filter((key) => !Object.hasOwn(before, key) || !sameJson(before[key], next[key]));
  const removed = Object.keys(before).filter((key) => !Object.hasOwn(next, key));
  await upsertUserAttributes(trx, userId, upserted.map((key) => ({ key, value: next[key] })));
  await deleteUserAttributes(trx, userId, removed);
  return { upserted, removed };
}

function copy(values: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) setOwn(result, key, value);
  return result;
}
