import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { limitKeys } from '../../../src/edge/limits/redis-backend.js';

// ioredis' own slot function (a dependency of its Cluster client).
const calculateSlot = createRequire(import.meta.url)('cluster-key-slot') as (key: string) => number;
const alias = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,40}$/);

describe('Redis Cluster: every key of one admission is in one slot', () => {
  it('for any route alias, consumer name and prefix without braces', () => {
    fc.assert(
      fc.property(
        alias,
        fc.string({ maxLength: 60 }),
        fc.stringMatching(/^[a-z:]{0,10}$/),
        (scope, consumer, prefix) => {
          const slots = new Set(limitKeys(prefix, scope, consumer).map(calculateSlot));
          expect(slots.size).toBe(1);
          expect([...slots][0]).toBe(calculateSlot(`{${scope}}`));
        },
      ),
    );
  });

  it('distinct consumers never share a key', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), (a, b) => {
        fc.pre(a !== b);
        const ka = new Set(limitKeys('gh:', 'r', a));
        for (const k of limitKeys('gh:', 'r', b).slice(0, 2)) expect(ka.has(k)).toBe(false);
      }),
    );
  });
});
