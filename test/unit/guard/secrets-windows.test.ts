import { describe, expect, it } from 'vitest';
import { loadVendoredRules, scanned, vendoredHits } from '../../../src/guard/detectors/secrets-vendored.js';

// Work is counted in characters handed to re2js, never in time.
const rules = loadVendoredRules();
const hits = (text: string) => vendoredHits(rules, text, text.toLowerCase());
const letters = (n: number, seed: number) => {
  let x = seed;
  let s = '';
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    s += String.fromCharCode(97 + (x % 26));
  }
  return s;
};

describe('vendored rules: windows inside one long unbroken token', () => {
  it('scan a bounded window around a keyword, not the whole token', () => {
    const a = letters(20_000, 7);
    const b = letters(20_000, 11);
    const work = (text: string) => {
      const before = scanned();
      hits(text);
      return scanned() - before;
    };
    // The same 40 KB token with and without one "cohere": its rule scans at most BEFORE + AFTER +
    // margins (~620 characters) more; before the cut it scanned all 40,006.
    expect(work(`${a}cohere${b}`) - work(`${a}zzzzzz${b}`)).toBeLessThan(1_000);
  });

  it('still find a key with a keyword and delimiters inside a long text', () => {
    const key = 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0';
    const text = `${letters(5_000, 3)} cohere_api_key = "${key}" ${letters(5_000, 5)}`;
    expect(hits(text).map((h) => h.value)).toContain(key);
  });

  it('never report a match that only a cut window could create', () => {
    // The same assignment glued inside a 40 KB token: the key is part of something longer.
    const key = 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0';
    const text = `${letters(20_000, 9)}cohere=${key}${letters(20_000, 13)}`;
    expect(hits(text).map((h) => h.value)).not.toContain(key);
  });
});
