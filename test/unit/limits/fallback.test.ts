import { describe, expect, it } from 'vitest';
import { createFallbackSeeds } from '../../../src/edge/limits/fallback.js';
import type { Views } from '../../../src/edge/limits/types.js';
import { spec } from './backend-suite.js';

/** The local posture's seed: a share of what the shared store last said was left, never more. */
const view = (limit: number, remaining: number, resetMs: number) => ({ limit, remaining, resetMs });
const views: Views = [view(100, 10, 60_000), view(1_000, 1_000, 0), view(500, 250, 30_000), view(9, 9, 0)];
const shared = spec({ concurrency: 5 }, { global: 12 });
const INF = Number.POSITIVE_INFINITY;

describe('local posture seeds', () => {
  it('a seen consumer gets its share of what was left; the window counts until it has emptied', () => {
    const s = createFallbackSeeds();
    s.learn('k', 'route', views, [2, 6], 1_000, 120_000);
    expect(s.allowance('k', 'route', shared, 3, 2_000)).toEqual({
      windows: [3, INF, 83, INF],
      concurrency: 1,
      globalConcurrency: 2,
    });
    // After 30 s the output window had emptied; after 60 s the requests window too.
    expect(s.allowance('k', 'route', shared, 3, 31_000).windows).toEqual([3, INF, INF, INF]);
    expect(s.allowance('k', 'route', shared, 3, 61_000).windows).toEqual([INF, INF, INF, INF]);
    // Lease counts hold as long as a request seen then may run.
    expect(s.allowance('k', 'route', shared, 3, 121_000).concurrency).toBe(INF);
  });

  it('a consumer who used everything gets nothing; settlements update the leases held', () => {
    const s = createFallbackSeeds();
    s.learn('k', 'route', [view(100, 0, 60_000), views[1], views[2], views[3]], [5, 5], 0, 120_000);
    expect(s.allowance('k', 'route', shared, 1, 1)).toMatchObject({
      windows: [0, INF, 250, INF],
      concurrency: 0,
    });
    s.learnInUse('k', 'route', [3, 3], 10, 120_000);
    expect(s.allowance('k', 'route', shared, 1, 11)).toMatchObject({ concurrency: 2, globalConcurrency: 9 });
  });

  it('an unknown consumer gets no seed (the local caps alone apply)', () => {
    const s = createFallbackSeeds();
    expect(s.allowance('nobody', 'route', shared, 3, 0)).toEqual({
      windows: [INF, INF, INF, INF],
      concurrency: INF,
      globalConcurrency: INF,
    });
  });
});
