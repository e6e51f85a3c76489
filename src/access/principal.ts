import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { NotProvisionedError } from '../errors.js';
import { ensureUser, findUserIdByIdentity } from '../users/index.js';
import type { Principal } from './policy.js';
import { loadGrants } from './repository.js';

export interface CallerIdentity {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean | null;
}

/**
 * The authenticated caller as a principal: their internal id and
 * permissions. Provisions them just in time when allowed, like /v1/me.
 */
export async function resolvePrincipal(
  db: Kysely<Database>,
  caller: CallerIdentity,
  context: { jitProvisioning: boolean; requestId?: string | null },
): Promise<Principal & { roles: string[] }> {
  let userId = await findUserIdByIdentity(db, caller.issuer, caller.subject);
  if (userId === null) {
    if (!context.jitProvisioning) throw new NotProvisionedError();
    ({ userId } = await ensureUser(db, { ...caller, source: 'jit', requestId: context.requestId ?? null }));
  }
  const grants = await loadGrants(db, userId);
  return { userId, ...grants };
}
