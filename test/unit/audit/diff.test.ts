import { describe, expect, it } from 'vitest';
import { diffDocuments } from '../../../src/audit/index.js';

describe('diffDocuments', () => {
  it('reports changed leaves as JSON Pointers with from and to', () => {
    const before = { profile: { givenName: null, location: { city: 'Paris', country: 'FR' } } };
    const after = { profile: { givenName: 'Ada', location: { city: 'London', country: 'FR' } } };
    expect(diffDocuments(before, after)).toEqual([
      { path: '/profile/givenName', from: null, to: 'Ada' },
      { path: '/profile/location/city', from: 'Paris', to: 'London' },
    ]);
  });

  it('treats arrays as one value and escapes ~ and / in keys', () => {
    expect(diffDocuments({ 'a/b': [1, 2], 'c~d': 1 }, { 'a/b': [1, 3], 'c~d': 1 })).toEqual([{ path: '/a~1b', from: [1, 2], to: [1, 3] }]);
    expect(diffDocuments({ x: [1, 2] }, { x: [1, 2] })).toEqual([]);
  });

  it('expands an object that appears or disappears into its leaves', () => {
    expect(diffDocuments({ loc: null }, { loc: { city: 'Rome' } })).toEqual([{ path: '/loc/city', from: null, to: 'Rome' }]);
    expect(diffDocuments({ loc: { city: 'Rome' } }, {})).toEqual([{ path: '/loc/city', from: 'Rome', to: null }]);
  });

  it('is empty for equal documents', () => {
    expect(diffDocuments({ a: { b: [1, { c: 2 }] } }, { a: { b: [1, { c: 2 }] } })).toEqual([]);
  });
});
