import type { Kysely } from 'kysely';
import { listAuditEvents, type Change } from '../audit/index.js';
import type { Database } from '../db/schema.js';
import { MalformedInputError, UserNotFoundError } from '../errors.js';
import { toProfileDocument, type ProfileDocument } from './model.js';
import { listMediaMetadata, loadDocumentRows, loadVersionSnapshot, type Audience } from './repository.js';

export interface HistoryItem {
  version: number;
  at: string;
  actor: { type: string; id: string };
  action: string;
  source: string;
  requestId: string | null;
  changes: Change[];
}

export interface HistoryPage {
  items: HistoryItem[];
  nextCursor: string | null;
}

/**
 * A user's history, newest first, from the audit trail. The cursor is
 * opaque to clients (the chain position of the last item). For the user
 * themselves, changes to admins-only attributes are left out.
 */
export async function getHistory(
  db: Kysely<Database>,
  userId: string,
  options: { limit: number; cursor?: string | undefined; audience: Audience },
): Promise<HistoryPage> {
  const beforeSeq = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
  const events = await listAuditEvents(db, userId, { limit: options.limit + 1, beforeSeq });
  const page = events.slice(0, options.limit);
  const hidden = options.audience === 'admin' ? new Set<string>() : await adminOnlyAttributeKeys(db);
  return {
    items: page.map((event) => ({
      version: event.version,
      at: event.at.toISOString(),
      actor: event.actor,
      action: event.action,
      source: event.source,
      requestId: event.requestId ?? null,
      changes: event.changes.filter((change) => !hidden.has(attributeKeyOf(change.path) ?? '')),
    })),
    nextCursor: events.length > options.limit ? encodeCursor(page[page.length - 1]!.seq) : null,
  };
}

/** The document exactly as it was at `version` (null when there is no such version). */
export async function getVersion(db: Kysely<Database>, userId: string, version: number, audience: Audience): Promise<ProfileDocument | null> {
  const document = (await loadVersionSnapshot(db, userId, version)) as ProfileDocument | null;
  if (document === null) return null;
  if (audience === 'admin') return document;
  const hidden = await adminOnlyAttributeKeys(db);
  return { ...document, attributes: Object.fromEntries(Object.entries(document.attributes).filter(([key]) => !hidden.has(key))) };
}

/** Everything stored about the user, for a data-portability request. */
export async function exportUser(db: Kysely<Database>, userId: string): Promise<Record<string, unknown>> {
  const rows = await loadDocumentRows(db, { userId }, 'admin');
  if (rows === null) throw new UserNotFoundError();
  const identities = await db
    .selectFrom('identities')
    .select(['issuer', 'subject', 'email', 'email_verified', 'created_at'])
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute();
  const history: HistoryItem[] = [];
  for (let cursor: string | undefined, page: HistoryPage; ; cursor = page.nextCursor ?? undefined) {
    page = await getHistory(db, userId, { limit: 500, cursor, audience: 'admin' });
    history.push(...page.items);
    if (page.nextCursor === null) break;
  }
  const media = await listMediaMetadata(db, userId);
  return {
    exportedAt: new Date().toISOString(),
    format: 'profile-service.export.v1',
    document: toProfileDocument(rows),
    identities: identities.map((i) => ({
      issuer: i.issuer,
      subject: i.subject,
      email: i.email,
      emailVerified: i.email_verified,
      linkedAt: i.created_at.toISOString(),
    })),
    // Metadata only: the files themselves are fetched through /v1/me/media
    // (a presigned URL in a file that is kept would expire anyway).
    media: media.map((m) => ({
      id: m.id,
      kind: m.kind,
      status: m.status,
      contentType: m.content_type,
      sizeBytes: Number(m.size_bytes),
      fileName: m.file_name,
      createdAt: m.created_at.toISOString(),
      completedAt: m.completed_at?.toISOString() ?? null,
    })),
    history,
  };
}

async function adminOnlyAttributeKeys(db: Kysely<Database>): Promise<Set<string>> {
  const rows = await db.selectFrom('attribute_definitions').select('key').where('visibility', '=', 'admins').execute();
  return new Set(rows.map((r) => r.key));
}

function attributeKeyOf(path: string): string | null {
  const match = /^\/attributes\/([^/]+)/.exec(path);
  return match ? match[1]!.replaceAll('~1', '/').replaceAll('~0', '~') : null;
}

function encodeCursor(seq: number): string {
  return Buffer.from(JSON.stringify({ s: seq })).toString('base64url');
}

function decodeCursor(cursor: string): number {
  try {
    const { s } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s: unknown };
    if (typeof s === 'number' && Number.isSafeInteger(s) && s > 0) return s;
  } catch {
    // fall through
  }
  throw new MalformedInputError('cursor is not one this service issued', [{ pointer: '/cursor', message: 'is invalid' }]);
}
