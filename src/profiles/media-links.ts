import type { Kysely } from 'kysely';
import type { Database, MediaKind } from '../db/schema.js';
import type { FieldError } from '../errors.js';
import { toMediaRef, type MediaRef, type WritableSections } from './model.js';
import { findLinkTarget } from './repository.js';

interface Slot {
  /** Where the link is in the document (and in a PATCH body). */
  pointer: string;
  kind: MediaKind;
  get(sections: WritableSections): MediaRef | null;
  set(sections: WritableSections, ref: MediaRef | null): WritableSections;
}

const SLOTS: readonly Slot[] = [
  {
    pointer: '/profile/photo',
    kind: 'photo',
    get: (s) => s.profile.photo,
    set: (s, photo) => ({ ...s, profile: { ...s.profile, photo } }),
  },
  {
    pointer: '/jobSeeker/resume',
    kind: 'resume',
    get: (s) => s.jobSeeker.resume,
    set: (s, resume) => ({ ...s, jobSeeker: { ...s.jobSeeker, resume } }),
  },
];

/**
 * Replaces the media links a patch asked for by the items they name, as
 * stored: only a ready item of the right kind that the user owns is
 * accepted. Anything else is a field error on `…/id`; an unknown id and
 * another user's id get the same message, so a PATCH never reveals whether
 * someone else's item exists. An unchanged link is kept as it was.
 */
export async function resolveMediaLinks(
  db: Kysely<Database>,
  userId: string,
  before: WritableSections,
  after: WritableSections,
): Promise<{ sections: WritableSections; errors: FieldError[] }> {
  let sections = after;
  const errors: FieldError[] = [];
  for (const slot of SLOTS) {
    const wanted = slot.get(after);
    const current = slot.get(before);
    if (wanted === null || wanted.id === current?.id) {
      sections = slot.set(sections, wanted === null ? null : current);
      continue;
    }
    const target = await findLinkTarget(db, userId, wanted.id);
    const problem =
      target === null
        ? 'is not a media item of yours'
        : target.kind !== slot.kind
          ? `must be a ${slot.kind}; this item is a ${target.kind}`
          : target.status !== 'ready'
            ? 'names an upload that is not complete yet (POST /v1/me/media/{id}/complete first)'
            : null;
    if (problem !== null) errors.push({ pointer: `${slot.pointer}/id`, message: problem });
    sections = slot.set(sections, problem === null && target !== null ? toMediaRef(target) : current);
  }
  return { sections, errors };
}
