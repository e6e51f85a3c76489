export * from './model.js';
export { getOwnProfile, patchOwnProfile, type Caller, type RequestContext, type VersionPrecondition, type ProfileResult } from './service.js';
export { ProfilePatch, ProfileDocumentSchema, READ_ONLY_FIELDS, LIMITS } from './schema.js';
export { applyMergePatch } from './merge-patch.js';
export { validateCoreProfile, canonicalLocale } from './validation.js';
