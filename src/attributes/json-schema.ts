import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { FieldError } from '../errors.js';
import { ATTRIBUTE_LIMITS, SCHEMA_DIALECT } from './model.js';
import { isPlainObject, pointerToken, utf8Length } from './json.js';

/**
 * One Ajv for every definition: JSON Schema 2020-12, strict (unknown
 * keywords and formats, keywords without their type, tuples without bounds
 * and `required` members not in `properties` are errors, not silently
 * ignored), all errors at once, and never a change to the value validated.
 */
const ajv = new Ajv2020({
  strict: true,
  allowUnionTypes: true,
  allErrors: true,
  coerceTypes: false,
  useDefaults: false,
  removeAdditional: false,
  // Definitions are meta-validated explicitly (checkDefinitionSchema) before they are compiled.
  validateSchema: false,
});
// ajv-formats is CommonJS: under NodeNext its default import is `module.exports`, whose `default` is the plugin.
ajvFormats.default(ajv);

/**
 * Keywords that would make a definition depend on something outside itself
 * (other schemas registered by id, remote documents) or change how Ajv
 * treats it (`$async` returns a promise, which is always truthy).
 */
const FORBIDDEN_KEYWORDS: Record<string, string> = {
  $id: 'is not allowed: a definition cannot be referenced from elsewhere',
  $anchor: 'is not allowed: use a local reference such as #/$defs/name',
  $dynamicAnchor: 'is not allowed',
  $dynamicRef: 'is not allowed: use $ref with a local reference',
  $recursiveAnchor: 'is not allowed',
  $recursiveRef: 'is not allowed: use $ref with a local reference',
  $vocabulary: 'is not allowed',
  $async: 'is not allowed',
};

/** Keywords whose value is a subschema. */
const SUBSCHEMA = new Set([
  'items', 'not', 'if', 'then', 'else', 'additionalProperties', 'contains', 'propertyNames',
  'unevaluatedItems', 'unevaluatedProperties', 'contentSchema',
]);
/** Keywords whose value is an array of subschemas. */
const SUBSCHEMA_ARRAY = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
/** Keywords whose value maps names to subschemas (the names are data, not keywords). */
const SUBSCHEMA_MAP = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

/**
 * Every reason `schema` cannot be an attribute definition's schema, as
 * pointers under `/schema`: too large, not an object, a remote or
 * non-pointer `$ref`, a forbidden or unknown keyword, a meta-schema
 * violation, or anything strict compilation refuses. Empty when it is fine.
 */
export function checkDefinitionSchema(schema: unknown): FieldError[] {
  if (!isPlainObject(schema)) return [{ pointer: '/schema', message: 'must be a JSON Schema object' }];
  const bytes = utf8Length(JSON.stringify(schema));
  if (bytes > ATTRIBUTE_LIMITS.schemaBytes) {
    return [{ pointer: '/schema', message: `must be at most ${ATTRIBUTE_LIMITS.schemaBytes} bytes as JSON (is ${bytes})` }];
  }
  const errors = [...checkStructure(schema), ...checkAgainstMetaSchema(schema)];
  if (errors.length > 0) return errors;
  try {
    ajv.compile(schema);
    return [];
  } catch (error) {
    return [compileError(error)];
  } finally {
    ajv.removeSchema(schema);
  }
}

function checkAgainstMetaSchema(schema: Record<string, unknown>): FieldError[] {
  // `$schema` is checked by checkStructure; another dialect's URI would make Ajv look for a meta-schema it does not have.
  const { $schema: _dialect, ...rest } = schema;
  if (ajv.validateSchema(rest) as boolean) return [];
  return collapse((ajv.errors ?? []).map((e) => toFieldError('/schema', e)));
}

function checkStructure(root: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  if (root.$schema !== undefined && root.$schema !== SCHEMA_DIALECT) {
    errors.push({ pointer: '/schema/$schema', message: `must be ${SCHEMA_DIALECT} (or absent)` });
  }
  const visit = (node: unknown, pointer: string, depth: number): void => {
    if (typeof node === 'boolean') return;
    if (!isPlainObject(node)) return; // the meta-schema reports it
    if (depth > ATTRIBUTE_LIMITS.schemaDepth) {
      errors.push({ pointer, message: `nests subschemas deeper than ${ATTRIBUTE_LIMITS.schemaDepth} levels` });
      return;
    }
    for (const [keyword, value] of Object.entries(node)) {
      const at = `${pointer}/${pointerToken(keyword)}`;
      if (Object.hasOwn(FORBIDDEN_KEYWORDS, keyword)) errors.push({ pointer: at, message: FORBIDDEN_KEYWORDS[keyword]! });
      else if (keyword === '$schema' && depth > 0) errors.push({ pointer: at, message: 'is only allowed at the root' });
      else if (keyword === '$ref') checkRef(value, at, errors);
      else if (keyword === 'pattern') checkRegExp(value, at, errors);
      else if (ajv.RULES.keywords[keyword] !== true) errors.push({ pointer: at, message: 'is not a known keyword' });
      else if (SUBSCHEMA.has(keyword)) visit(value, at, depth + 1);
      else if (SUBSCHEMA_ARRAY.has(keyword) && Array.isArray(value)) value.forEach((s, i) => visit(s, `${at}/${i}`, depth + 1));
      else if ((SUBSCHEMA_MAP.has(keyword) || keyword === 'dependencies') && isPlainObject(value)) {
        // `dependencies` (draft 7) maps names to a subschema or to a list of names.
        for (const [name, sub] of Object.entries(value)) {
          if (keyword === 'patternProperties') checkRegExp(name, `${at}/${pointerToken(name)}`, errors);
          visit(sub, `${at}/${pointerToken(name)}`, depth + 1);
        }
      }
    }
  };
  visit(root, '/schema', 0);
  return errors;
}

function checkRef(value: unknown, pointer: string, errors: FieldError[]): void {
  if (typeof value !== 'string') return; // the meta-schema reports it
  if (value !== '#' && !value.startsWith('#/')) {
    errors.push({ pointer, message: 'must be a local reference (# or #/…); remote references are not allowed' });
  }
}

/** Patterns run as JavaScript regular expressions with the `u` flag, as Ajv compiles them. */
function checkRegExp(value: unknown, pointer: string, errors: FieldError[]): void {
  if (typeof value !== 'string') return; // the meta-schema reports it
  try {
    new RegExp(value, 'u');
  } catch {
    errors.push({ pointer, message: 'must be a valid regular expression' });
  }
}

/** Strict-mode and compile errors name the place as `at "#/…"` or `at path "#/…"`; turn that into a pointer. */
function compileError(error: unknown): FieldError {
  const message = error instanceof Error ? error.message : String(error);
  const place = /at (?:path )?"#([^"]*)"/.exec(message);
  const clean = message
    .replace(/^strict mode: /, '')
    .replace(/ (?:ignored in schema )?at (?:path )?"#[^"]*"/, '')
    .replace(/ \(strict\w+\)$/, '');
  return { pointer: `/schema${place?.[1] ?? ''}`, message: clean };
}

// --- Validating values -----------------------------------------------------------

export type ValueValidator = ValidateFunction;

interface CacheEntry {
  /** The schema text compiled, so a different schema under the same (key, version) is never served. */
  text: string;
  schema: Record<string, unknown>;
  validate: ValidateFunction;
}

const MAX_CACHED = 500;
const validators = new Map<string, CacheEntry>();

/**
 * The compiled validator of one definition version, compiled once. A
 * definition is immutable per (key, version); the schema text is compared
 * anyway so that two databases in one process cannot mix their schemas.
 */
export function validatorFor(key: string, version: number, schema: Record<string, unknown>): ValidateFunction {
  const id = `${key}@${version}`;
  const text = JSON.stringify(schema);
  const hit = validators.get(id);
  if (hit !== undefined && hit.text === text) {
    validators.delete(id); // keep the most recently used last
    validators.set(id, hit);
    return hit.validate;
  }
  if (hit !== undefined) evict(id, hit);
  const validate = ajv.compile(schema);
  validators.set(id, { text, schema, validate });
  while (validators.size > MAX_CACHED) {
    const [oldest, entry] = validators.entries().next().value as [string, CacheEntry];
    evict(oldest, entry);
  }
  return validate;
}

function evict(id: string, entry: CacheEntry): void {
  validators.delete(id);
  ajv.removeSchema(entry.schema);
}

/** Compiles a schema that is not (yet) a stored version, runs `use`, and forgets it. */
export function withTransientValidator<T>(schema: Record<string, unknown>, use: (validate: ValidateFunction) => Promise<T>): Promise<T> {
  const validate = ajv.compile(schema);
  return use(validate).finally(() => ajv.removeSchema(schema));
}

/** Ajv errors on a value as field errors under `base` (e.g. `/attributes/shirtSize`). */
export function valueErrors(base: string, errors: readonly ErrorObject[] | null | undefined): FieldError[] {
  return collapse((errors ?? []).map((e) => toFieldError(base, e)));
}

type KeyedError = FieldError & { keyword: string };

function toFieldError(base: string, e: ErrorObject): KeyedError {
  const at = `${base}${e.instancePath}`;
  switch (e.keyword) {
    case 'required':
      return { pointer: `${at}/${pointerToken(String(e.params.missingProperty))}`, message: 'is required', keyword: e.keyword };
    case 'additionalProperties':
      return { pointer: `${at}/${pointerToken(String(e.params.additionalProperty))}`, message: 'is not allowed', keyword: e.keyword };
    case 'unevaluatedProperties':
      return { pointer: `${at}/${pointerToken(String(e.params.unevaluatedProperty))}`, message: 'is not allowed', keyword: e.keyword };
    default:
      return { pointer: at, message: e.message ?? 'is invalid', keyword: e.keyword };
  }
}

/**
 * One message per problem: `anyOf`/`oneOf` umbrellas and the type errors of
 * their branches become "must be string or integer", duplicates go.
 */
function collapse(errors: readonly KeyedError[]): FieldError[] {
  const byPointer = new Map<string, KeyedError[]>();
  for (const e of errors) byPointer.set(e.pointer, [...(byPointer.get(e.pointer) ?? []), e]);
  const result: FieldError[] = [];
  for (const [pointer, group] of byPointer) {
    const specific = group.filter((e) => e.keyword !== 'type' && e.keyword !== 'anyOf' && e.keyword !== 'oneOf');
    const messages = new Set(specific.map((e) => e.message));
    if (messages.size === 0) {
      const deeper = [...byPointer.keys()].some((other) => other.startsWith(`${pointer}/`));
      const types = [...new Set(group.filter((e) => e.keyword === 'type').map((e) => e.message.replace(/^must be /, '')))];
      if (types.length > 0) messages.add(`must be ${types.join(' or ')}`);
      else if (!deeper) messages.add(group[0]!.message);
    }
    for (const message of messages) result.push({ pointer, message });
  }
  return result;
}
