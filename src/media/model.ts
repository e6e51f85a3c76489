import { createHash, randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { MediaKind, MediaStatus, MediaTable } from '../db/schema.js';
import type { FieldError } from '../errors.js';

export type { MediaKind, MediaStatus };
export type MediaRow = Selectable<MediaTable>;

export const MEDIA_KINDS = ['photo', 'resume', 'document'] as const satisfies readonly MediaKind[];

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** The content types each kind accepts (exact, lower case, no parameters). */
export const ALLOWED_TYPES: Readonly<Record<MediaKind, readonly string[]>> = {
  photo: ['image/jpeg', 'image/png', 'image/webp'],
  resume: ['application/pdf', DOCX, 'text/plain'],
  document: ['application/pdf', DOCX, 'text/plain'],
};

/** Per-kind and per-user limits (from the configuration). */
export interface MediaLimits {
  maxBytes: Readonly<Record<MediaKind, number>>;
  maxPendingPerUser: number;
  maxItemsPerUser: number;
  uploadUrlSeconds: number;
  downloadUrlSeconds: number;
}

export interface MediaItem {
  id: string;
  userId: string;
  kind: MediaKind;
  status: MediaStatus;
  contentType: string;
  sizeBytes: number;
  /** The client's name for the file: display only, never part of the object key. */
  fileName: string;
  objectKey: string;
  createdAt: Date;
  uploadExpiresAt: Date;
  completedAt: Date | null;
}

export function toMediaItem(row: MediaRow): MediaItem {
  return {
    id: row.id,
    userId: row.user_id,
    kind: row.kind,
    status: row.status,
    contentType: row.content_type,
    sizeBytes: Number(row.size_bytes),
    fileName: row.file_name,
    objectKey: row.object_key,
    createdAt: row.created_at,
    uploadExpiresAt: row.upload_expires_at,
    completedAt: row.completed_at,
  };
}

export interface UploadRequest {
  kind: MediaKind;
  contentType: string;
  sizeBytes: number;
  fileName: string;
}

/**
 * The rules of an upload request that its JSON Schema cannot express, each
 * with a pointer into the request body. Returns the request with the content
 * type in its canonical (lower-case) form, which is what gets signed.
 */
export function checkUploadRequest(input: UploadRequest, limits: MediaLimits): { request: UploadRequest; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const contentType = input.contentType.trim().toLowerCase();
  const allowed = ALLOWED_TYPES[input.kind];
  if (!allowed.includes(contentType)) errors.push({ pointer: '/contentType', message: `must be one of ${allowed.join(', ')} for a ${input.kind}` });
  const max = limits.maxBytes[input.kind];
  if (input.sizeBytes > max) errors.push({ pointer: '/sizeBytes', message: `must be at most ${max} bytes for a ${input.kind}` });
  const nameProblem = fileNameProblem(input.fileName);
  if (nameProblem !== null) errors.push({ pointer: '/fileName', message: nameProblem });
  return { request: { ...input, contentType, fileName: input.fileName.normalize('NFC') }, errors };
}

// Control characters would corrupt headers and logs; separators suggest a
// path, which a display name never is.
const FORBIDDEN_IN_NAME = /[\u0000-\u001f\u007f/\\]/;

function fileNameProblem(name: string): string | null {
  if (name.trim() === '') return 'must not be blank';
  if (FORBIDDEN_IN_NAME.test(name)) return 'must not contain control characters, / or \\';
  if (name === '.' || name === '..') return 'must be a file name';
  return null;
}

/**
 * `media/{owner}/{random}`: the owner part is a hash of the internal user id
 * (so one user's objects share a prefix, for erasure, without the id showing
 * in a URL that gets shared), the rest is a random UUID (122 random bits:
 * neither guessable nor colliding; the unique index is the backstop). No
 * part of it comes from the client.
 */
export function newObjectKey(userId: string): string {
  return `${MEDIA_PREFIX}${ownerPrefix(userId)}/${randomUUID()}`;
}

export const MEDIA_PREFIX = 'media/';

export function ownerPrefix(userId: string): string {
  return createHash('sha256').update(`profile-service:media:${userId}`).digest('hex').slice(0, 32);
}

/**
 * `Content-Disposition` for a download: photos inline (shown in place),
 * documents as attachments, with the stored name in RFC 6266/8187 form and an
 * ASCII fallback for old clients.
 */
export function contentDisposition(kind: MediaKind, fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind === 'photo' ? 'inline' : 'attachment'}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
