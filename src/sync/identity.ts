import type { Kysely } from 'kysely';
import type { Actor } from '../audit/index.js';
import type { Database } from '../db/schema.js';
import { recordChange, withUserLocked } from '../profiles/change.js';
import { findIdentity } from '../users/index.js';

export interface IdentityAttributes {
  email: string | null;
  emailVerified: boolean | null;
}

const SYSTEM: Actor = { type: 'system', id: 'cognito-sync' };

/**
 * Refreshes our copy of an identity's attributes from the identity provider
 * (email, email_verified) as a versioned, audited change. Nothing happens
 * when they already match or the user is erased (erasure is final).
 * Returns whether anything changed.
 */
export async function refreshIdentity(
  db: Kysely<Database>,
  issuer: string,
  subject: string,
  attributes: IdentityAttributes,
  context: { source: string; requestId?: string | null },
): Promise<boolean> {
  const identity = await findIdentity(db, issuer, subject);
  if (identity === null) return false;
  return withUserLocked(db, identity.userId, async (trx, user) => {
    if (user.status === 'erased') return false;
    const current = await trx.selectFrom('identities').select(['email', 'email_verified']).where('id', '=', identity.identityId).executeTakeFirstOrThrow();
    const changes = [
      ...(current.email === attributes.email ? [] : [{ path: '/identity/email', from: current.email, to: attributes.email }]),
      ...(current.email_verified === attributes.emailVerified
        ? []
        : [{ path: '/identity/emailVerified', from: current.email_verified, to: attributes.emailVerified }]),
    ];
    if (changes.length === 0) return false;
    await trx
      .updateTable('identities')
      .set({ email: attributes.email, email_verified: attributes.emailVerified, updated_at: new Date() })
      .where('id', '=', identity.identityId)
      .execute();
    await recordChange(trx, user, { actor: SYSTEM, source: context.source, action: 'identity.refreshed', requestId: context.requestId ?? null, changes });
    return true;
  });
}

/** Mirrors AdminDisableUser / AdminEnableUser. An erased user stays erased. */
export async function setUserEnabled(
  db: Kysely<Database>,
  userId: string,
  enabled: boolean,
  context: { source: string; requestId?: string | null },
): Promise<boolean> {
  return withUserLocked(db, userId, async (trx, user) => {
    const status = enabled ? 'active' : 'disabled';
    if (user.status === 'erased' || user.status === status) return false;
    await trx.updateTable('users').set({ status }).where('id', '=', userId).execute();
    await recordChange(trx, user, {
      actor: SYSTEM,
      source: context.source,
      action: enabled ? 'user.enabled' : 'user.disabled',
      requestId: context.requestId ?? null,
      changes: [{ path: '/status', from: user.status, to: status }],
    });
    return true;
  });
}
