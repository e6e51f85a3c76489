import { MalformedInputError } from '../errors.js';

/**
 * Opaque keyset cursors: base64url JSON of the last row's sort key. The
 * timestamp travels as whole microseconds since the epoch, PostgreSQL's own
 * precision, so that no row is skipped or repeated by rounding.
 */
export interface KeysetPosition {
  /** Microseconds since 1970-01-01T00:00:00Z. */
  micros: number;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify({ t: position.micros, i: position.id })).toString('base64url');
}

export function decodeCursor(cursor: string): KeysetPosition {
  try {
    const { t, i } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { t: unknown; i: unknown };
    if (typeof t === 'number' && Number.isSafeInteger(t) && typeof i === 'string' && UUID.test(i)) return { micros: t, id: i };
  } catch {
    // fall through
  }
  throw new MalformedInputError('cursor is not one this service issued', [{ pointer: '/cursor', message: 'is invalid' }]);
}
