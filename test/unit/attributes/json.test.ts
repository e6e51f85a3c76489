import { describe, expect, it } from 'vitest';
import { canonicalJson, hasUnstorableText, mergePatch, sameJson } from '../../../src/attributes/json.js';
import { checkDefinitionSchema } from '../../../src/attributes/index.js';
import { validatorFor, valueErrors } from '../../../src/attributes/json-schema.js';

describe('canonical JSON', () => {
  it('compares documents by content, not member order', () => {
    expect(sameJson({ a: 1, b: { c: [1, { d: 2, e: 3 }] } }, { b: { c: [1, { e: 3, d: 2 }] }, a: 1 })).toBe(true);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });
});

describe('mergePatch', () => {
  it('follows RFC 7396 on one value', () => {
    expect(mergePatch({ a: 1, b: { c: 2 } }, { b: { c: null, d: 3 } })).toEqual({ a: 1, b: { d: 3 } });
    expect(mergePatch({ a: 1 }, [1])).toEqual([1]);
    expect(mergePatch('x', { a: null, b: 1 })).toEqual({ b: 1 });
  });

  it('keeps __proto__ as data and never touches a prototype', () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}}') as unknown;
    const merged = mergePatch({}, patch) as Record<string, unknown>;
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.hasOwn(merged, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('hasUnstorableText', () => {
  it('finds NUL and lone surrogates in values and member names', () => {
    expect(hasUnstorableText({ a: ['ok', 'x\u0000'] })).toBe(true);
    expect(hasUnstorableText({ 'k\udc00': 1 })).toBe(true);
    expect(hasUnstorableText({ emoji: '😀' })).toBe(false);
  });
});

describe('value errors', () => {
  const schema = {
    type: 'object',
    properties: {
      size: { type: 'string', enum: ['S', 'M'] },
      count: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
      nested: { type: 'object', properties: { n: { type: 'integer', maximum: 3 } }, additionalProperties: false },
    },
    required: ['size'],
    additionalProperties: false,
  };

  it('points into the value, collapses anyOf and names missing and extra members', () => {
    expect(checkDefinitionSchema(schema)).toEqual([]);
    const validate = validatorFor('unitTest', 1, schema);
    expect(validate({ count: true, nested: { n: 4, x: 1 }, extra: 1 })).toBe(false);
    expect(valueErrors('/attributes/unitTest', validate.errors)).toEqual(
      expect.arrayContaining([
        { pointer: '/attributes/unitTest/size', message: 'is required' },
        { pointer: '/attributes/unitTest/extra', message: 'is not allowed' },
        { pointer: '/attributes/unitTest/count', message: 'must be integer or string' },
        { pointer: '/attributes/unitTest/nested/n', message: 'must be <= 3' },
        { pointer: '/attributes/unitTest/nested/x', message: 'is not allowed' },
      ]),
    );
  });

  it('compiles once per (key, version) and recompiles when the schema under that id differs', () => {
    const a = validatorFor('cacheTest', 1, { type: 'string' });
    expect(validatorFor('cacheTest', 1, { type: 'string' })).toBe(a);
    const b = validatorFor('cacheTest', 1, { type: 'integer' });
    expect(b).not.toBe(a);
    expect(b(1)).toBe(true);
  });
});
