import type { Selectable } from 'kysely';
import type { AttributeDefinitionsTable, AttributeDefinitionVersionsTable } from '../db/schema.js';

/** Who may see (and, for `self` and `public`, write) an attribute's values. */
export type Visibility = 'self' | 'admins' | 'public';
export const VISIBILITIES: readonly Visibility[] = ['self', 'admins', 'public'];

/** Whose view of a user's attributes is being read or written. */
export type ReadAudience = 'self' | 'admin' | 'public';
export type WriteAudience = 'self' | 'admin';

/** The key rule, the same as the `attribute_definitions.key` check constraint. */
export const ATTRIBUTE_KEY_PATTERN = /^[a-z][A-Za-z0-9_]{0,63}$/;

export const ATTRIBUTE_LIMITS = Object.freeze({
  /** Largest definition schema, as serialised JSON (UTF-8 bytes). */
  schemaBytes: 16 * 1024,
  /** Deepest nesting of subschemas in a definition schema. */
  schemaDepth: 32,
  descriptionLength: 1000,
  /** Largest single attribute value, as serialised JSON (UTF-8 bytes). */
  valueBytes: 16 * 1024,
  /** Most members in one patch of `attributes`. */
  patchMembers: 1000,
});

/** The JSON Schema dialect definitions are written in (the only `$schema` accepted). */
export const SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

export interface AttributeDefinition {
  key: string;
  /** 1 on creation, + 1 on every change. */
  version: number;
  /** JSON Schema (2020-12) every value of the attribute must satisfy. */
  schema: Record<string, unknown>;
  description: string;
  /** The values identify or describe a person (export and erasure treat them as such). */
  personalData: boolean;
  visibility: Visibility;
  createdAt: string;
  updatedAt: string;
}

/** What a PUT supplies: the whole definition (an omitted description is empty). */
export interface AttributeDefinitionInput {
  schema: Record<string, unknown>;
  description?: string;
  personalData: boolean;
  visibility: Visibility;
}

/** One entry of a definition's history: what it was at `version`, who made it so and when. */
export interface AttributeDefinitionVersion {
  version: number;
  schema: Record<string, unknown>;
  description: string;
  personalData: boolean;
  visibility: Visibility;
  createdAt: string;
  /** Internal id of the user who made the change; null when the system did. */
  createdBy: string | null;
}

export type AttributeDefinitionRow = Selectable<AttributeDefinitionsTable>;
export type AttributeDefinitionVersionRow = Selectable<AttributeDefinitionVersionsTable>;

export function toAttributeDefinition(row: AttributeDefinitionRow): AttributeDefinition {
  return {
    key: row.key,
    version: row.version,
    schema: row.schema,
    description: row.description,
    personalData: row.personal_data,
    visibility: row.visibility,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toAttributeDefinitionVersion(row: AttributeDefinitionVersionRow): AttributeDefinitionVersion {
  return {
    version: row.version,
    schema: row.schema,
    description: row.description,
    personalData: row.personal_data,
    visibility: row.visibility,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
  };
}

/** Whether a writer with `audience` may set or remove values of an attribute with `visibility`. */
export function isWritableBy(visibility: Visibility, audience: WriteAudience): boolean {
  return audience === 'admin' || visibility !== 'admins';
}

/** The visibilities a reader with `audience` sees. */
export function visibleTo(audience: ReadAudience): Visibility[] {
  switch (audience) {
    case 'admin':
      return ['self', 'admins', 'public'];
    case 'self':
      return ['self', 'public'];
    case 'public':
      return ['public'];
  }
}
