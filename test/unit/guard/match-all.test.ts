import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchAll, matchAllAt } from '../../../src/guard/match-all.js';

const PATTERNS = [
  /\d+/g,
  /a*/g,
  /(?:x|)/gu,
  /\p{L}*/gu,
  /(?<![\w+])\d{2,5}(?:[\s.-]\d{2,8}){0,4}(?![\w])/g,
  /\b(?:call|tel)\b[^\n\d]{0,25}$/gim,
  /(?=.)/gsu,
  /(a)|(b)/g,
];

describe('matchAll (exec loop) gives what String.prototype.matchAll gives', () => {
  it('same matches, indices and groups, including empty matches and surrogate pairs', () => {
    const text = fc.string({
      unit: fc.constantFrom('a', 'b', 'x', '1', '2', ' ', '-', '\n', '😀', 'é', 'call '),
    });
    fc.assert(
      fc.property(fc.constantFrom(...PATTERNS), text, fc.integer({ min: 0, max: 5 }), (re, s, from) => {
        re.lastIndex = from;
        const want = [...s.matchAll(re)].map((m) => [m.index, [...m]]);
        expect(matchAll(re, s).map((m) => [m.index, [...m]])).toEqual(want);
        // The shared regex is left as it was found.
        expect(re.lastIndex).toBe(from);
        re.lastIndex = 0;
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a regex without the g flag, as matchAll does', () => {
    expect(() => matchAll(/a/, 'aaa')).toThrow(TypeError);
  });
});

describe('matchAllAt (a sticky copy tried only at the given starts)', () => {
  it('equals matchAll when the starts hold every position where a match can begin', () => {
    const NUMBERED = [
      /\b\d{1,5}[A-Za-z]?(?:\s+\d{1,5})?\s+(?:\p{L}{1,30}\s+){0,2}(?:st|rd)\b/giu,
      /(?<=[a-z][ \t]{1,4})\d{1,5}\b/gu,
    ];
    const text = fc.string({
      unit: fc.constantFrom('a', 'St', 'rd', '1', '23', ' ', '\t', '-', '\n', 'é', 'x9'),
    });
    fc.assert(
      fc.property(fc.constantFrom(...NUMBERED), text, (re, s) => {
        const sticky = new RegExp(re.source, `${re.flags.replace('g', '')}y`);
        const starts = [...s].flatMap((c, i) => (/\d/.test(c) && !/\d/.test(s[i - 1] ?? '') ? [i] : []));
        const all = [...s].map((_, i) => i);
        const want = matchAll(re, s).map((m) => [m.index, [...m]]);
        expect(matchAllAt(sticky, s, starts).map((m) => [m.index, [...m]])).toEqual(want);
        expect(matchAllAt(sticky, s, all).map((m) => [m.index, [...m]])).toEqual(want);
      }),
      { numRuns: 2000, seed: 17 },
    );
  });
});
