import { describe, expect, it } from 'vitest';
import { createVerifiedCache } from '../../../src/edge/auth/verified-cache.js';

describe('verified-token cache', () => {
  it('returns a value until the token expires or ttl passes, whichever is first', () => {
    const clock = { t: 1_000_000 };
    const c = createVerifiedCache<string>({ maxEntries: 10, ttlMs: 5_000, now: () => clock.t });
    c.set('tok-a', 'A', clock.t + 60_000); // ttl bounds it
    c.set('tok-b', 'B', clock.t + 2_000); // exp bounds it
    expect(c.get('tok-a')).toBe('A');
    expect(c.get('tok-b')).toBe('B');
    clock.t += 2_000;
    expect(c.get('tok-b')).toBeUndefined();
    expect(c.get('tok-a')).toBe('A');
    clock.t += 3_000;
    expect(c.get('tok-a')).toBeUndefined();
    expect(c.get('tok-c')).toBeUndefined();
  });

  it('is bounded, and disabled with maxEntries 0', () => {
    const c = createVerifiedCache<number>({ maxEntries: 2, ttlMs: 60_000, now: () => 0 });
    c.set('1', 1, 1e9);
    c.set('2', 2, 1e9);
    c.set('3', 3, 1e9);
    expect([c.get('1'), c.get('2'), c.get('3')]).toEqual([undefined, 2, 3]);
    const off = createVerifiedCache<number>({ maxEntries: 0, ttlMs: 60_000, now: () => 0 });
    off.set('1', 1, 1e9);
    expect(off.get('1')).toBeUndefined();
  });
});
