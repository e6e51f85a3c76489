export { eraseUser, deleteQueuedObjects, type ErasureDeps, type ErasureContext, type ErasureResult, type ObjectDeleter, type IdentityProviderEraser } from './service.js';
