import { AuditFormatError } from './errors.js';

/**
 * RFC 8785 (JSON Canonicalization Scheme) serialisation of a JSON value:
 * object members sorted by the UTF-16 code units of their names, no
 * whitespace, numbers as ECMAScript prints them, strings with the minimal
 * JSON escapes. These are exactly `JSON.stringify`'s rules for a single
 * string or finite number, so only the walk and the ordering are ours.
 *
 * Hand-written rather than the `canonicalize` package: its 2.x line is
 * CommonJS whose types declare an ES default export (not callable under
 * NodeNext), and it is lenient — it follows `toJSON` and drops `undefined`,
 * so two different inputs can give one serialisation. A hash chain wants the
 * opposite: anything that is not plain JSON is refused, loudly.
 */
export function canonicalize(value: unknown): string {
  return serialize(value, '');
}

function serialize(value: unknown, at: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new AuditFormatError(`${where(at)} is not a finite number`);
      return JSON.stringify(value);
    case 'string':
      // I-JSON (RFC 7493), which RFC 8785 requires: no lone surrogates.
      if (LONE_SURROGATE.test(value)) throw new AuditFormatError(`${where(at)} contains a lone surrogate`);
      return JSON.stringify(value);
    case 'object':
      if (Array.isArray(value)) return `[${value.map((item, i) => serialize(item, `${at}/${i}`)).join(',')}]`;
      if (!isPlainObject(value)) throw new AuditFormatError(`${where(at)} is not a plain object`);
      return `{${Object.keys(value)
        .sort()
        .map((key) => `${serialize(key, at)}:${serialize(value[key], `${at}/${key}`)}`)
        .join(',')}}`;
    default:
      throw new AuditFormatError(`${where(at)} is not JSON (${typeof value})`);
  }
}

// With the `u` flag a paired surrogate is one astral code point, so only a lone one matches.
const LONE_SURROGATE = /\p{Surrogate}/u;

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function where(at: string): string {
  return at === '' ? 'the value' : `the member at ${at}`;
}
