import { ProfileServiceError } from '../errors.js';
import type { Permission } from './permissions.js';

/** Who is asking, with what they may do (loaded once per request). */
export interface Principal {
  userId: string;
  permissions: readonly string[];
}

export class ForbiddenError extends ProfileServiceError {
  readonly permission: Permission;

  constructor(permission: Permission) {
    super('ERR_FORBIDDEN', `Requires the ${permission} permission`);
    this.permission = permission;
  }
}

/**
 * The one place that decides a permission check. `ownerId`: the user the
 * request is about; `ownerMay` lets the owner through without the
 * permission (a user reading their own history or versions).
 */
export function authorize(principal: Principal, permission: Permission, options: { ownerId?: string; ownerMay?: boolean } = {}): void {
  if (options.ownerMay && options.ownerId !== undefined && options.ownerId === principal.userId) return;
  if (!principal.permissions.includes(permission)) throw new ForbiddenError(permission);
}
