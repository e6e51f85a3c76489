import { describe, expect, it } from 'vitest';
import {
  ATTRIBUTE_LIMITS,
  checkAttributeDefinitionInput,
  checkAttributeKey,
  checkDefinitionSchema,
  type AttributeDefinitionInput,
} from '../../../src/attributes/index.js';

const pointers = (errors: { pointer: string }[]) => errors.map((e) => e.pointer);

describe('checkAttributeKey', () => {
  it.each(['a', 'shirtSize', 'x_1', 'a'.repeat(64), 'aB9_'])('accepts %j', (key) => {
    expect(checkAttributeKey(key)).toEqual([]);
  });

  it.each(['', 'A', 'Shirt', '1a', '_a', 'a-b', 'a.b', 'a b', 'ä', 'a'.repeat(65), 'a/b', '__proto__'])('refuses %j at /key', (key) => {
    expect(pointers(checkAttributeKey(key))).toEqual(['/key']);
  });
});

describe('checkDefinitionSchema', () => {
  it('accepts a strict 2020-12 schema with local references, formats and union types', () => {
    expect(
      checkDefinitionSchema({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        properties: {
          size: { $ref: '#/$defs/size' },
          email: { type: 'string', format: 'email' },
          note: { type: ['string', 'null'], maxLength: 10 },
        },
        required: ['size'],
        additionalProperties: false,
        $defs: { size: { type: 'string', enum: ['S', 'M', 'L'] } },
      }),
    ).toEqual([]);
    expect(checkDefinitionSchema({})).toEqual([]);
  });

  it('names every meta-schema violation with a pointer under /schema', () => {
    const errors = checkDefinitionSchema({ type: 'object', properties: { a: { type: 'strin' }, b: { minLength: -1, type: 'string' } } });
    expect(pointers(errors)).toEqual(expect.arrayContaining(['/schema/properties/a/type', '/schema/properties/b/minLength']));
    expect(pointers(errors).every((p) => p.startsWith('/schema/'))).toBe(true);
  });

  it('refuses a schema that is not an object', () => {
    expect(pointers(checkDefinitionSchema('string'))).toEqual(['/schema']);
    expect(pointers(checkDefinitionSchema(['type']))).toEqual(['/schema']);
    expect(pointers(checkDefinitionSchema(true))).toEqual(['/schema']);
  });

  it.each([
    'https://example.com/schemas/size.json',
    'http://json-schema.org/draft-07/schema#',
    'other.json#/$defs/a',
    '#anchor',
  ])('refuses the non-local $ref %j where it is', (ref) => {
    const errors = checkDefinitionSchema({ type: 'object', properties: { a: { $ref: ref } } });
    expect(pointers(errors)).toEqual(['/schema/properties/a/$ref']);
    expect(errors[0]!.message).toMatch(/local reference/);
  });

  it('refuses a local $ref that resolves to nothing', () => {
    expect(pointers(checkDefinitionSchema({ $ref: '#/$defs/missing' }))).toEqual(['/schema']);
  });

  it.each(['$id', '$anchor', '$dynamicRef', '$dynamicAnchor', '$async'])('refuses %s', (keyword) => {
    const value = keyword === '$async' ? true : keyword === '$id' ? 'https://example.com/a' : keyword === '$dynamicRef' ? '#a' : 'a';
    expect(pointers(checkDefinitionSchema({ type: 'object', properties: { a: { type: 'string', [keyword]: value } } }))).toEqual([
      `/schema/properties/a/${keyword}`,
    ]);
  });

  it('refuses another dialect and a nested $schema', () => {
    expect(pointers(checkDefinitionSchema({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'string' }))).toEqual(['/schema/$schema']);
    expect(
      pointers(checkDefinitionSchema({ type: 'array', items: { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'string' } })),
    ).toEqual(['/schema/items/$schema']);
  });

  it('is strict: unknown keywords, unknown formats, keywords without their type, undeclared required members', () => {
    expect(pointers(checkDefinitionSchema({ type: 'object', properties: { a: { type: 'string', maxLenght: 3 } } }))).toEqual([
      '/schema/properties/a/maxLenght',
    ]);
    expect(pointers(checkDefinitionSchema({ type: 'object', properties: { a: { type: 'string', format: 'shoe-size' } } }))).toEqual([
      '/schema/properties/a',
    ]);
    expect(pointers(checkDefinitionSchema({ type: 'object', properties: { a: { maxLength: 3 } } }))).toEqual(['/schema/properties/a']);
    expect(pointers(checkDefinitionSchema({ type: 'object', properties: {}, required: ['a'] }))).toEqual(['/schema']);
    expect(checkDefinitionSchema({ type: 'string', constructor: 1, toString: 2 })).toEqual([
      { pointer: '/schema/constructor', message: 'is not a known keyword' },
      { pointer: '/schema/toString', message: 'is not a known keyword' },
    ]);
  });

  it('refuses an invalid regular expression where it is', () => {
    expect(pointers(checkDefinitionSchema({ type: 'string', pattern: '(' }))).toEqual(['/schema/pattern']);
    expect(pointers(checkDefinitionSchema({ type: 'object', patternProperties: { '[': { type: 'string' } } }))).toEqual([
      '/schema/patternProperties/[',
    ]);
  });

  it('treats names under properties and data under enum/const/default as data, not keywords', () => {
    expect(
      checkDefinitionSchema({
        type: 'object',
        properties: { $ref: { type: 'string' }, $id: { type: 'string', enum: ['$id', '#x'], default: '$id' }, foo: { const: { $ref: 'http://x' } } },
      }),
    ).toEqual([]);
  });

  it(`refuses a schema larger than ${ATTRIBUTE_LIMITS.schemaBytes} bytes`, () => {
    const big = { type: 'string', enum: Array.from({ length: 2000 }, (_, i) => `value-${i}`) };
    expect(JSON.stringify(big).length).toBeGreaterThan(ATTRIBUTE_LIMITS.schemaBytes);
    const errors = checkDefinitionSchema(big);
    expect(pointers(errors)).toEqual(['/schema']);
    expect(errors[0]!.message).toMatch(/16384 bytes/);
  });

  it(`refuses subschemas nested deeper than ${ATTRIBUTE_LIMITS.schemaDepth} levels`, () => {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < ATTRIBUTE_LIMITS.schemaDepth + 1; i++) schema = { type: 'array', items: schema };
    const errors = checkDefinitionSchema(schema);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.pointer).toBe(`/schema${'/items'.repeat(ATTRIBUTE_LIMITS.schemaDepth + 1)}`);
  });
});

describe('checkAttributeDefinitionInput', () => {
  const valid: AttributeDefinitionInput = { schema: { type: 'string' }, personalData: false, visibility: 'self' };

  it('accepts a valid input, with or without a description', () => {
    expect(checkAttributeDefinitionInput(valid)).toEqual([]);
    expect(checkAttributeDefinitionInput({ ...valid, description: 'T-shirt size' })).toEqual([]);
  });

  it('reports every bad member at once', () => {
    const input = { schema: { type: 'nope' }, description: 'x'.repeat(1001), personalData: 'yes', visibility: 'everyone' };
    expect(pointers(checkAttributeDefinitionInput(input as unknown as AttributeDefinitionInput)).sort()).toEqual(
      ['/description', '/personalData', '/schema/type', '/visibility'].sort(),
    );
  });

  it('refuses text PostgreSQL cannot store', () => {
    expect(pointers(checkAttributeDefinitionInput({ ...valid, description: 'a\u0000b' }))).toEqual(['/description']);
    expect(pointers(checkAttributeDefinitionInput({ ...valid, schema: { type: 'string', enum: ['\ud800'] } }))).toEqual(['/schema']);
  });
});
