export { PERMISSIONS, DEFAULT_ROLE, type Permission } from './permissions.js';
export { loadGrants, grantRole, roleExists, listRoles, findRole, permissionsOfRoles, type Grants, type RoleView } from './repository.js';
export { authorize, ForbiddenError, type Principal } from './policy.js';
export { resolvePrincipal, rolesForGroups, type CallerIdentity, type PrincipalContext, type ResolvedPrincipal } from './principal.js';
export {
  grantRoleToUser,
  revokeRoleFromUser,
  defineRole,
  deleteRole,
  RoleInUseError,
  userIdByEmail,
  UnknownRoleError,
  BuiltInRoleError,
  RevokeRefusedError,
  RoleNotFoundError,
  type RoleDefinition,
} from './service.js';
