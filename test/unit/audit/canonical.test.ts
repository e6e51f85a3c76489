import { describe, expect, it } from 'vitest';
import { AuditFormatError, canonicalize } from '../../../src/audit/index.js';

describe('canonicalize (RFC 8785)', () => {
  it('is independent of member order, at every depth', () => {
    const a = { b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } };
    const b = { a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 };
    expect(canonicalize(a)).toBe(canonicalize(b));
    expect(canonicalize(a)).toBe('{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}');
  });

  it('keeps array order', () => {
    expect(canonicalize([2, 1])).not.toBe(canonicalize([1, 2]));
  });

  it('matches the RFC 8785 examples for numbers, strings and literals (§3.2.2)', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],' +
        '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    expect(canonicalize(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts member names by UTF-16 code units, not by locale (RFC 8785 §3.2.3)', () => {
    const input = {
      '€': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      'ö': 'Latin Small Letter O With Diaeresis',
    };
    expect(canonicalize(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin Small Letter O With Diaeresis",' +
        '"€":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('writes -0 as 0 and refuses what is not plain JSON', () => {
    expect(canonicalize(-0)).toBe('0');
    for (const bad of [undefined, NaN, Infinity, () => 1, 1n, new Date(0), new Map(), Symbol('x'), { a: undefined }, '\ud800']) {
      expect(() => canonicalize(bad)).toThrow(AuditFormatError);
    }
  });
});
