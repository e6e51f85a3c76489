import type { Kysely } from 'kysely';
import { appendAuditEvent, diffDocuments, type Actor } from '../audit/index.js';
import type { Database } from '../db/schema.js';
import { NotProvisionedError, UserNotFoundError, ValidationError, VersionMismatchError } from '../errors.js';
import { ensureUser } from '../users/index.js';
import { applyMergePatch, isPlainObject } from './merge-patch.js';
import { toCoreProfile, toProfileColumns, toProfileDocument, type CoreProfile, type ProfileDocument } from './model.js';
import { loadProfileRows, loadProfileRowsByIdentity, type ProfileRows } from './repository.js';
import type { ProfilePatch } from './schema.js';
import { canonicalLocale, validateCoreProfile } from './validation.js';

/** The authenticated caller, as the identity layer established it. */
export interface Caller {
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean | null;
}

export interface RequestContext {
  requestId?: string | null;
  /** Create the row on first sight when the trigger did not (JIT_PROVISIONING). */
  jitProvisioning: boolean;
}

/** `If-Match`: the versions the client holds, `'*'` for "any", or null when absent. */
export type VersionPrecondition = readonly number[] | '*' | null;

export interface ProfileResult {
  document: ProfileDocument;
  /** True when the call created the user (JIT). */
  provisioned: boolean;
}

export async function getOwnProfile(db: Kysely<Database>, caller: Caller, context: RequestContext): Promise<ProfileResult> {
  const rows = await loadProfileRowsByIdentity(db, caller.issuer, caller.subject);
  if (rows !== null) return { document: document(rows), provisioned: false };
  await provisionCaller(db, caller, context);
  const created = await loadProfileRowsByIdentity(db, caller.issuer, caller.subject);
  if (created === null) throw new UserNotFoundError();
  return { document: document(created), provisioned: true };
}

/**
 * Applies an RFC 7396 merge patch to the caller's profile in one
 * transaction: the user row is locked, the precondition checked, the result
 * validated, and the new values, version + 1 and one audit event with the
 * field-level diff are written together. A patch that changes nothing
 * writes nothing and keeps the version.
 */
export async function patchOwnProfile(
  db: Kysely<Database>,
  caller: Caller,
  patch: ProfilePatch,
  precondition: VersionPrecondition,
  context: RequestContext,
): Promise<ProfileDocument> {
  let rows = await loadProfileRowsByIdentity(db, caller.issuer, caller.subject);
  if (rows === null) {
    await provisionCaller(db, caller, context);
    rows = await loadProfileRowsByIdentity(db, caller.issuer, caller.subject);
    if (rows === null) throw new UserNotFoundError();
  }
  const actor: Actor = { type: 'user', id: rows.user.id };
  return patchProfile(db, rows.user.id, rows.identity.id, patch, precondition, actor, context.requestId ?? null);
}

async function patchProfile(
  db: Kysely<Database>,
  userId: string,
  identityId: string,
  patch: ProfilePatch,
  precondition: VersionPrecondition,
  actor: Actor,
  requestId: string | null,
): Promise<ProfileDocument> {
  return db.transaction().execute(async (trx) => {
    const rows = await loadProfileRows(trx, userId, { identityId, forUpdate: true });
    if (rows === null) throw new UserNotFoundError();
    checkPrecondition(precondition, rows.user.version);

    const before = toCoreProfile(rows.profile);
    const patched = applyMergePatch({ profile: before }, patch) as { profile?: unknown };
    const after = normalizeCoreProfile(patched.profile);
    const changes = diffDocuments({ profile: before }, { profile: after });
    if (changes.length === 0) return document(rows);

    const changed = new Set(changes.map((c) => c.path.replace(/^\/profile\//, '')));
    const errors = validateCoreProfile(after, changed);
    if (errors.length > 0) throw new ValidationError(errors);

    const version = rows.user.version + 1;
    const profile = await trx
      .updateTable('profiles')
      .set({ ...toProfileColumns(after), updated_at: new Date() })
      .where('user_id', '=', userId)
      .returningAll()
      .executeTakeFirstOrThrow();
    const user = await trx
      .updateTable('users')
      .set({ version, updated_at: new Date() })
      .where('id', '=', userId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendAuditEvent(trx, { userId, actor, source: 'api', action: 'profile.updated', version, requestId, changes });
    return document({ user, identity: rows.identity, profile });
  });
}

function checkPrecondition(precondition: VersionPrecondition, current: number): void {
  if (precondition === null || precondition === '*') return;
  if (!precondition.includes(current)) throw new VersionMismatchError(current);
}

async function provisionCaller(db: Kysely<Database>, caller: Caller, context: RequestContext): Promise<void> {
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

/** Fills absent members with null and canonicalises what has one canonical form. */
function normalizeCoreProfile(raw: unknown): CoreProfile {
  const p = isPlainObject(raw) ? raw : {};
  const location = isPlainObject(p.location) ? p.location : {};
  const links = isPlainObject(p.socialLinks) ? p.socialLinks : {};
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  const locale = text(p.locale);
  return {
    givenName: text(p.givenName),
    familyName: text(p.familyName),
    displayName: text(p.displayName),
    dateOfBirth: text(p.dateOfBirth),
    mobilePhone: text(p.mobilePhone),
    locale: locale === null ? null : (canonicalLocale(locale) ?? locale),
    timeZone: text(p.timeZone),
    headline: text(p.headline),
    bio: text(p.bio),
    location: { city: text(location.city), region: text(location.region), country: text(location.country) },
    socialLinks: { linkedin: text(links.linkedin), github: text(links.github), website: text(links.website) },
  };
}

function document(rows: ProfileRows): ProfileDocument {
  return toProfileDocument(rows.user, rows.identity, rows.profile);
}
