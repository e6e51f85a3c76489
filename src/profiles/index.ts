export * from './model.js';
export {
  getOwnProfile,
  patchOwnProfile,
  patchProfile,
  type Caller,
  type RequestContext,
  type VersionPrecondition,
  type ProfileResult,
  type PatchOptions,
} from './service.js';
export { ProfilePatch, ProfileDocumentSchema, READ_ONLY_FIELDS, LIMITS } from './schema.js';
export { applyMergePatch } from './merge-patch.js';
export { validateSections, canonicalLocale } from './validation.js';
export { loadDocumentRows, type Audience } from './repository.js';
export { snapshot } from './snapshot.js';
export { getHistory, getVersion, exportUser, type HistoryItem, type HistoryPage } from './history.js';
export { withUserLocked, recordChange, type ChangeRecord } from './change.js';
