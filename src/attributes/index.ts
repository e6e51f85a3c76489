export {
  ATTRIBUTE_KEY_PATTERN,
  ATTRIBUTE_LIMITS,
  SCHEMA_DIALECT,
  VISIBILITIES,
  type AttributeDefinition,
  type AttributeDefinitionInput,
  type AttributeDefinitionVersion,
  type ReadAudience,
  type Visibility,
  type WriteAudience,
} from './model.js';
export { AttributeDefinitionNotFoundError } from './errors.js';
export {
  checkAttributeDefinitionInput,
  checkAttributeKey,
  getAttributeDefinition,
  listAttributeDefinitions,
  listAttributeDefinitionVersions,
  putAttributeDefinition,
  type DefinitionPrecondition,
  type PutAttributeDefinitionOptions,
  type PutAttributeDefinitionResult,
} from './definitions.js';
export { checkDefinitionSchema } from './json-schema.js';
export { loadAttributes, validateAttributePatch, writeAttributes, type AttributePatchResult, type AttributeWrite } from './values.js';
export {
  AttributeDefinitionBody,
  AttributeDefinitionListSchema,
  AttributeDefinitionSchema,
  AttributeDefinitionVersionSchema,
  AttributeDefinitionWithVersionsSchema,
  AttributeKeyParams,
} from './schema.js';
