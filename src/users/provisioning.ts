import { sql, type Kysely } from 'kysely';
import { DEFAULT_ROLE } from '../access/permissions.js';
import { appendAuditEvent } from '../audit/index.js';
import type { Database } from '../db/schema.js';
import { NotProvisionedError } from '../errors.js';
import { snapshot } from '../profiles/snapshot.js';
import { findUserIdByIdentity } from './repository.js';

/** Every path that can create a user; recorded in the audit event and metrics. */
export type ProvisioningSource = 'post_confirmation' | 'pre_token_generation' | 'jit' | 'reconcile' | 'event' | 'cli' | 'backend_event';

export interface ProvisionInput {
  issuer: string;
  subject: string;
  email?: string | null;
  emailVerified?: boolean | null;
  source: ProvisioningSource;
  requestId?: string | null;
}

export interface ProvisionResult {
  userId: string;
  created: boolean;
}

/**
 * The one idempotent "ensure user" path, keyed by (issuer, subject). Safe to
 * run any number of times and concurrently: the identity is claimed first
 * with INSERT … ON CONFLICT DO NOTHING, and the user, the empty profile,
 * preferences and job-seeker rows, the default role and the
 * `user.provisioned` audit event are written in the same transaction
 * only by the caller whose claim succeeded (the user foreign key is checked
 * at commit). A concurrent loser waits on the unique index, then reads the
 * winner's row.
 */
export async function ensureUser(db: Kysely<Database>, input: ProvisionInput): Promise<ProvisionResult> {
  const existing = await findUserIdByIdentity(db, input.issuer, input.subject);
  if (existing !== null) return { userId: existing, created: false };

  return db.transaction().execute(async (trx) => {
    const claimed = await trx
      .insertInto('identities')
      .values({
        user_id: sql<string>`uuid_generate_v7()`,
        issuer: input.issuer,
        subject: input.subject,
        email: input.email ?? null,
        email_verified: input.emailVerified ?? null,
      })
      .onConflict((oc) => oc.columns(['issuer', 'subject']).doNothing())
      .returning('user_id')
      .executeTakeFirst();

    if (claimed === undefined) {
      const winner = await findUserIdByIdentity(trx, input.issuer, input.subject);
      if (winner === null) throw new Error('identity conflict without a committed row');
      return { userId: winner, created: false };
    }

    const userId = claimed.user_id;
    await trx.insertInto('users').values({ id: userId }).execute();
    await trx.insertInto('profiles').values({ user_id: userId }).execute();
    await trx.insertInto('preferences').values({ user_id: userId }).execute();
    await trx.insertInto('job_seeker_profiles').values({ user_id: userId }).execute();
    await trx.insertInto('user_roles').values({ user_id: userId, role: DEFAULT_ROLE }).execute();
    await appendAuditEvent(trx, {
      userId,
      actor: { type: 'system', id: input.source },
      source: input.source,
      action: 'user.provisioned',
      version: 1,
      requestId: input.requestId ?? null,
      changes: [{ path: '/roles', from: [], to: [DEFAULT_ROLE] }],
    });
    await snapshot(trx, userId, 1);
    return { userId, created: true };
  });
}

/**
 * Just-in-time provisioning of an authenticated caller the trigger missed
 * (JIT_PROVISIONING): ensureUser from the token's identity, or
 * NotProvisionedError when it is switched off. Shared by /v1/me and the
 * admin routes' principal.
 */
export async function provisionJustInTime(
  db: Kysely<Database>,
  caller: { issuer: string; subject: string; email: string | null; emailVerified: boolean | null },
  context: { jitProvisioning: boolean; requestId?: string | null },
): Promise<void> {
  if (!context.jitProvisioning) throw new NotProvisionedError();
  await ensureUser(db, {
    issuer: caller.issuer,
    subject: caller.subject,
    email: caller.email,
    emailVerified: caller.emailVerified,
    source: 'jit',
    requestId: context.requestId ?? null,
  });
}
