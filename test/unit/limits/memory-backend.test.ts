import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMemoryBackend } from '../../../src/edge/limits/memory-backend.js';
import type { AdmitOutcome } from '../../../src/edge/limits/types.js';
import { backendSuite, spec, T0 } from './backend-suite.js';

backendSuite('memory', () => createMemoryBackend(() => 0));

const refusedOn = (r: AdmitOutcome) => (r.ok ? 'admitted' : r.dimension);

describe('memory backend as the local posture', () => {
  it('an allowance seeds the windows and caps the leases (the local posture)', async () => {
    const b = createMemoryBackend(() => 0);
    const s = spec({}, { leaseMs: 60_000 });
    const sc = 'seeded';
    const allowance = {
      windows: [2, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY] as const,
      concurrency: 1,
      globalConcurrency: 10,
    };
    const local = (now: number, consumer: string, a = allowance) =>
      b.admit({
        scope: sc,
        consumer,
        spec: s,
        amounts: [1, 0, 0, 0],
        leaseId: randomUUID(),
        now,
        allowance: a,
      });
    expect((await local(T0, 'alice')).ok).toBe(true);
    expect(refusedOn(await local(T0 + 1, 'alice'))).toBe('concurrency');
    const more = { ...allowance, concurrency: 5 };
    const second = await local(T0 + 2, 'alice', more);
    expect(second.ok && second.views[0].remaining).toBe(0);
    expect(refusedOn(await local(T0 + 3, 'alice', more))).toBe('requests');
    await b.close();
  });
});
