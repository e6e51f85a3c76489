import { Type, type Static } from '@sinclair/typebox';
import { ATTRIBUTE_KEY_PATTERN, ATTRIBUTE_LIMITS, VISIBILITIES, type Visibility } from './model.js';

/** TypeBox schemas of the definitions API (the OpenAPI document is generated from them). */

const VisibilitySchema = Type.Unsafe<Visibility>({
  type: 'string',
  enum: [...VISIBILITIES],
  description: 'who sees the values: the user and admins (self), admins only (admins), anyone the service shows public data to (public)',
});

const JsonSchemaObject = Type.Record(Type.String(), Type.Unknown(), {
  description: `JSON Schema 2020-12 for the value; strict, local $ref only, at most ${ATTRIBUTE_LIMITS.schemaBytes} bytes`,
});

export const AttributeKeyParams = Type.Object({
  key: Type.String({
    pattern: ATTRIBUTE_KEY_PATTERN.source,
    description: 'a lower-case letter, then up to 63 letters, digits or underscores',
  }),
});

export const AttributeDefinitionBody = Type.Object(
  {
    schema: JsonSchemaObject,
    description: Type.Optional(Type.String({ maxLength: ATTRIBUTE_LIMITS.descriptionLength })),
    personalData: Type.Boolean({ description: 'the values are personal data' }),
    visibility: VisibilitySchema,
  },
  { additionalProperties: false, description: 'the whole definition (PUT replaces it; an omitted description is empty)' },
);
export type AttributeDefinitionBody = Static<typeof AttributeDefinitionBody>;

export const AttributeDefinitionSchema = Type.Object(
  {
    key: Type.String(),
    version: Type.Integer({ minimum: 1 }),
    schema: JsonSchemaObject,
    description: Type.String(),
    personalData: Type.Boolean(),
    visibility: VisibilitySchema,
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { description: 'an attribute definition (current version)' },
);

export const AttributeDefinitionVersionSchema = Type.Object({
  version: Type.Integer({ minimum: 1 }),
  schema: JsonSchemaObject,
  description: Type.String(),
  personalData: Type.Boolean(),
  visibility: VisibilitySchema,
  createdAt: Type.String({ format: 'date-time' }),
  createdBy: Type.Union([Type.String(), Type.Null()], { description: 'internal id of the user who made this version' }),
});

export const AttributeDefinitionWithVersionsSchema = Type.Composite([
  AttributeDefinitionSchema,
  Type.Object({ versions: Type.Array(AttributeDefinitionVersionSchema, { description: 'oldest first' }) }),
]);

export const AttributeDefinitionListSchema = Type.Object({ items: Type.Array(AttributeDefinitionSchema) });
