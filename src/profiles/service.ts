import type { Kysely } from 'kysely';
import { validateAttributePatch, writeAttributes } from '../attributes/index.js';
import { diffDocuments, type Actor } from '../audit/index.js';
import type { Database } from '../db/schema.js';
import { UserNotFoundError, ValidationError, VersionMismatchError } from '../errors.js';
import { findIdentity, provisionJustInTime } from '../users/index.js';
import { applyMergePatch } from './merge-patch.js';
import {
  normalizeCoreProfile,
  normalizeJobSeeker,
  normalizePreferences,
  toJobSeekerColumns,
  toPreferencesColumns,
  toProfileColumns,
  toProfileDocument,
  type ProfileDocument,
  type WritableSections,
} from './model.js';
import { recordChange, withUserLocked } from './change.js';
import { resolveMediaLinks } from './media-links.js';
import { loadDocumentRows, replaceSkills, type Audience } from './repository.js';
import type { ProfilePatch } from './schema.js';
import { canonicalLocale, validateSections } from './validation.js';

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
  const rows = await loadDocumentRows(db, caller, 'self');
  if (rows !== null) return { document: toProfileDocument(rows), provisioned: false };
  await provisionJustInTime(db, caller, context);
  const created = await loadDocumentRows(db, caller, 'self');
  if (created === null) throw new UserNotFoundError();
  return { document: toProfileDocument(created), provisioned: true };
}

export async function patchOwnProfile(
  db: Kysely<Database>,
  caller: Caller,
  patch: ProfilePatch,
  precondition: VersionPrecondition,
  context: RequestContext,
): Promise<ProfileDocument> {
  let ids = await findIdentity(db, caller.issuer, caller.subject);
  if (ids === null) {
    await provisionJustInTime(db, caller, context);
    ids = await findIdentity(db, caller.issuer, caller.subject);
    if (ids === null) throw new UserNotFoundError();
  }
  return patchProfile(db, ids, patch, precondition, {
    actor: { type: 'user', id: ids.userId },
    audience: 'self',
    requestId: context.requestId ?? null,
  });
}

export interface PatchOptions {
  actor: Actor;
  /** `self`: the user editing their own profile; `admin`: may also write admins-only attributes. */
  audience: Audience;
  requestId: string | null;
  source?: string;
}

/**
 * Applies an RFC 7396 merge patch in one transaction: the user row is locked,
 * the precondition checked, the result validated, and the new values,
 * version + 1, a snapshot of the new document and one audit event with the
 * field-level diff are written together. A patch that changes nothing
 * writes nothing and keeps the version.
 */
export async function patchProfile(
  db: Kysely<Database>,
  target: { userId: string; identityId?: string },
  patch: ProfilePatch,
  precondition: VersionPrecondition,
  options: PatchOptions,
): Promise<ProfileDocument> {
  return withUserLocked(db, target.userId, async (trx, locked) => {
    checkPrecondition(precondition, locked.version);
    const rows = await loadDocumentRows(trx, target, 'admin');
    if (rows === null) throw new UserNotFoundError();
    const before = toProfileDocument(rows);

    const patched = applyMergePatch(writable(before), { ...patch, attributes: undefined }) as Partial<WritableSections>;
    const attributes = await validateAttributePatch(trx, before.attributes, patch.attributes, options.audience);
    const links = await resolveMediaLinks(trx, target.userId, writable(before), {
      profile: normalizeCoreProfile(patched.profile, canonicalLocale),
      preferences: normalizePreferences(patched.preferences),
      jobSeeker: normalizeJobSeeker(patched.jobSeeker),
      attributes: attributes.next,
    });
    const after = links.sections;
    const changes = diffDocuments(writable(before), after);
    const changed = new Set(changes.map((c) => c.path));
    const errors = [...validateSections(after, changed), ...attributes.errors, ...links.errors];
    if (errors.length > 0) throw new ValidationError(errors);
    if (changes.length === 0) return reload(trx, target, options.audience);

    const now = new Date();
    const sections = new Set(changes.map((c) => c.path.split('/')[1]));
    if (sections.has('profile')) {
      await trx.updateTable('profiles').set({ ...toProfileColumns(after.profile), updated_at: now }).where('user_id', '=', target.userId).execute();
    }
    if (sections.has('preferences')) {
      await trx.updateTable('preferences').set({ ...toPreferencesColumns(after.preferences), updated_at: now }).where('user_id', '=', target.userId).execute();
    }
    if (sections.has('jobSeeker')) {
      await trx.updateTable('job_seeker_profiles').set({ ...toJobSeekerColumns(after.jobSeeker), updated_at: now }).where('user_id', '=', target.userId).execute();
      if (changed.has('/jobSeeker/skills')) await replaceSkills(trx, target.userId, after.jobSeeker.skills);
    }
    if (sections.has('attributes')) await writeAttributes(trx, target.userId, before.attributes, after.attributes);

    await recordChange(trx, locked, {
      actor: options.actor,
      source: options.source ?? 'api',
      action: 'profile.updated',
      requestId: options.requestId,
      changes,
    });
    return reload(trx, target, options.audience);
  });
}

async function reload(db: Kysely<Database>, target: { userId: string; identityId?: string }, audience: Audience): Promise<ProfileDocument> {
  const rows = await loadDocumentRows(db, target, audience);
  if (rows === null) throw new UserNotFoundError();
  return toProfileDocument(rows);
}

function writable(document: ProfileDocument): WritableSections {
  return { profile: document.profile, preferences: document.preferences, jobSeeker: document.jobSeeker, attributes: document.attributes };
}

function checkPrecondition(precondition: VersionPrecondition, current: number): void {
  if (precondition === null || precondition === '*') return;
  if (!precondition.includes(current)) throw new VersionMismatchError(current);
}
