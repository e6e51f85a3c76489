export { ensureUser, provisionJustInTime, type ProvisionInput, type ProvisionResult, type ProvisioningSource } from './provisioning.js';
export { findIdentity, findUserIdByIdentity } from './repository.js';
