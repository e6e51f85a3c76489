import { MalformedInputError } from '../errors.js';
import type { VersionPrecondition } from '../profiles/index.js';

/** Strong entity tag of a versioned resource. */
export function etagFor(version: number): string {
  return `"${version}"`;
}

const ENTITY_TAG = /^(W\/)?"([^"]*)"$/;

/**
 * Parses `If-Match` (RFC 9110 §13.1.1). Only strong tags of our form can
 * match; a weak or foreign tag is kept as "matches nothing", so the request
 * fails with 412 rather than being applied blindly.
 */
export function parseIfMatch(header: string | undefined): VersionPrecondition {
  if (header === undefined) return null;
  const value = header.trim();
  if (value === '*') return '*';
  const versions: number[] = [];
  for (const part of value.split(',')) {
    const match = ENTITY_TAG.exec(part.trim());
    if (match === null) {
      throw new MalformedInputError('If-Match must be "*" or a list of entity tags such as "3"', [
        { pointer: '/headers/if-match', message: 'is not a list of entity tags' },
      ]);
    }
    const version = Number(match[2]);
    if (match[1] === undefined && /^\d+$/.test(match[2] ?? '') && Number.isSafeInteger(version)) versions.push(version);
  }
  return versions;
}
