import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checksum,
  createKeyParser,
  generateApiKey,
  hashApiKey,
  KEY_BODY_LENGTH,
} from '../../../src/formats/api-key.js';

const parse = createKeyParser('ghk_');

describe('API key format', () => {
  it('has a recognisable prefix, a base62 body and a checksum a scanner can verify offline', () => {
    const { key, id } = generateApiKey('ghk_');
    expect(key).toMatch(new RegExp(`^ghk_[0-9A-Za-z]{${KEY_BODY_LENGTH}}$`));
    expect(key.slice(4, 14)).toBe(id);
    expect(key.slice(-6)).toBe(checksum(key.slice(0, -6)));
    expect(parse(key)).toEqual({ ok: true, id });
  });

  it('every generated key is distinct', () => {
    const keys = new Set(Array.from({ length: 500 }, () => generateApiKey('ghk_').key));
    expect(keys.size).toBe(500);
  });

  it('refuses lookalikes: other prefixes, case, length, and any single changed character', () => {
    const { key } = generateApiKey('ghk_');
    for (const bad of [
      `ghx_${key.slice(4)}`,
      `GHK_${key.slice(4)}`,
      `ghk-${key.slice(4)}`,
      key.slice(0, -1),
      `${key}0`,
    ])
      expect(parse(bad).ok, bad).toBe(false);
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    // CRC32 detects every burst error of up to 32 bits, so any one-character substitution fails.
    fc.assert(
      fc.property(fc.integer({ min: 4, max: key.length - 1 }), fc.constantFrom(...alphabet), (pos, ch) => {
        fc.pre(key[pos] !== ch);
        return !parse(key.slice(0, pos) + ch + key.slice(pos + 1)).ok;
      }),
      { numRuns: 2_000 },
    );
  });

  it('stores only a hash: SHA-256, or HMAC-SHA-256 with a pepper', () => {
    const { key } = generateApiKey('ghk_');
    expect(hashApiKey(key, undefined)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(hashApiKey(key, 'pepper')).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(hashApiKey(key, 'pepper')).not.toBe(hashApiKey(key, 'other'));
    expect(hashApiKey(key, undefined)).not.toContain(key.slice(14, 46));
  });
});
