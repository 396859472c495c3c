import { describe, expect, it } from 'vitest';
import { isoMillis } from '../../../src/formats/iso-time.js';

describe('isoMillis', () => {
  it('writes what Date.prototype.toISOString writes, within a second and across seconds', () => {
    const base = Date.UTC(2026, 11, 5, 11, 59, 58);
    const times = [
      base,
      base + 1,
      base + 9,
      base + 10,
      base + 99,
      base + 100,
      base + 999,
      base + 1000,
      base + 1001,
    ];
    for (let i = 0; i < 2000; i++) times.push(base + Math.floor(Math.random() * 5000));
    times.push(0, 999, -1, -1001, Date.UTC(10000, 0, 1), Date.UTC(-1, 0, 1, 0, 0, 0, 5));
    for (const t of times) expect(isoMillis(t)).toBe(new Date(t).toISOString());
  });
});
