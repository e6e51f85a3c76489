export { PERMISSIONS, DEFAULT_ROLE, type Permission } from './permissions.js';
export { loadGrants, grantRole, roleExists, listRoles, type Grants, type RoleView } from './repository.js';
export { authorize, ForbiddenError, type Principal } from './policy.js';
export { resolvePrincipal, type CallerIdentity } from './principal.js';
export { grantRoleToUser, userIdByEmail, UnknownRoleError } from './service.js';
