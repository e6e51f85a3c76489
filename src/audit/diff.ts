import type { Change } from './types.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Field-level differences between two JSON documents, as JSON Pointer paths
 * to the leaves that changed. Objects are walked key by key; arrays and
 * scalars are compared as whole values (an array is one field).
 * Hand-written: the libraries that diff JSON report paths as arrays or as
 * RFC 6902 operations; the audit wants `{ path, from, to }` leaves.
 */
export function diffDocuments(before: unknown, after: unknown, base = ''): Change[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => diffDocuments(before[key] ?? null, after[key] ?? null, `${base}/${escapePointer(key)}`));
  }
  if (isObject(before) && after === null) return diffDocuments(before, {}, base);
  if (before === null && isObject(after)) return diffDocuments({}, after, base);
  return jsonEqual(before, after) ? [] : [{ path: base, from: before ?? null, to: after ?? null }];
}

function isObject(value: unknown): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => jsonEqual(a[key], b[key]));
  }
  return false;
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
