export { ensureUser, type ProvisionInput, type ProvisionResult, type ProvisioningSource } from './provisioning.js';
export { findUserIdByIdentity } from './repository.js';
