import { describe, expect, it } from 'vitest';
import { limitsSchema } from '../../../src/config/schema/limits.js';
import { formatDuration, rateLimitHeaders, retryHeaders } from '../../../src/edge/limits/headers.js';
import { compileRoutePlans } from '../../../src/edge/limits/spec.js';

describe('limits config and compiled specs', () => {
  it("ships the guide's example plans and closed postures for tiers 2 and 3", () => {
    const cfg = limitsSchema.parse({});
    expect(cfg.plans.standard?.requests.perMinute).toBe(60);
    expect(cfg.plans.premium?.requests.perMinute).toBe(200);
    expect(cfg.plans.standard?.inputTokens.perMinute).toBe(100_000);
    expect(cfg.plans.standard?.outputTokens.perMinute).toBe(50_000);
    expect(cfg.plans.standard?.cost).toEqual({ softPerHour: 10, hardPerHour: 50 });
    expect(cfg.plans.standard?.concurrency).toBe(5);
    expect(cfg.global.concurrency).toBe(100);
    expect(cfg.onStoreDown).toEqual({ tier1: 'local', tier2: 'closed', tier3: 'closed' });
  });

  it.each([
    [{ defaultPlan: 'gold' }, 'defaultPlan'],
    [{ plans: { x: { requests: { perMinute: 0 } } } }, 'plans'],
    [{ plans: { standard: { cost: { softPerHour: 60, hardPerHour: 50 } } } }, 'plans'],
    [{ onStoreDown: { tier2: 'open' } }, 'onStoreDown'],
    [{ alertRatio: 1.5 }, 'alertRatio'],
    [{ surprise: true }, ''],
  ])('refuses %j', (input, path) => {
    const r = limitsSchema.safeParse(input);
    expect(r.success).toBe(false);
    if (!r.success && path !== '') expect(r.error.issues[0]?.path[0]).toBe(path);
  });

  it('compiles burst into a minute window plus a sustain window; no burst means one window', () => {
    const cfg = limitsSchema.parse({});
    const { shared } = compileRoutePlans(cfg, 'demo', 120_000);
    const std = shared.get('standard')!;
    expect(std.windows[0]).toEqual([
      { id: 'm', lengthMs: 60_000, bucketMs: 1_000, cap: 90 },
      { id: 's', lengthMs: 300_000, bucketMs: 5_000, cap: 300 },
    ]);
    expect(std.windows[3]).toEqual([{ id: 'h', lengthMs: 3_600_000, bucketMs: 60_000, cap: 50_000_000 }]);
    expect(std.softCostMicros).toBe(10_000_000);
    expect(std.leaseMs).toBe(130_000);
    const flat = limitsSchema.parse({
      plans: { p: { ...cfg.plans.standard, requests: { perMinute: 10 } } },
      defaultPlan: 'p',
    });
    expect(compileRoutePlans(flat, 'demo', 1_000).shared.get('p')!.windows[0]).toHaveLength(1);
  });

  it('route overrides replace plan parts; the local posture divides every cap by the replicas', () => {
    const cfg = limitsSchema.parse({
      replicas: 4,
      routes: { big: { requests: { perMinute: 8, burst: 0 }, globalConcurrency: 10 } },
    });
    const big = compileRoutePlans(cfg, 'big', 1_000);
    expect(big.shared.get('premium')!.windows[0]).toEqual([
      { id: 'm', lengthMs: 60_000, bucketMs: 1_000, cap: 8 },
    ]);
    expect(big.shared.get('premium')!.globalConcurrency).toBe(10);
    expect(big.local.get('premium')!.windows[0]![0]!.cap).toBe(2);
    expect(big.local.get('premium')!.globalConcurrency).toBe(2);
    expect(big.local.get('standard')!.concurrency).toBe(1); // 5 / 4, never 0
    const other = compileRoutePlans(cfg, 'other', 1_000);
    expect(other.shared.get('premium')!.windows[0]![0]!.cap).toBe(300);
  });
});

describe('rate-limit headers', () => {
  it.each([
    [0, '0ms'],
    [20, '20ms'],
    [1_500, '1.5s'],
    [59_900, '59.9s'],
    [60_000, '1m0s'],
    [61_000, '1m1s'],
    [3_723_000, '1h2m3s'],
  ])('formats %d ms as %s', (ms, s) => {
    expect(formatDuration(ms)).toBe(s);
  });

  it('reports the token dimension closer to running out, and both separately', () => {
    const h: Record<string, string> = {};
    rateLimitHeaders(
      [
        { limit: 60, remaining: 59, resetMs: 1_000 },
        { limit: 1_000, remaining: 900, resetMs: 2_000 },
        { limit: 100, remaining: 10, resetMs: 3_000 },
        { limit: 5, remaining: 5, resetMs: 0 },
      ],
      h,
    );
    expect(h).toMatchObject({
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '59',
      'x-ratelimit-reset-requests': '1s',
      'x-ratelimit-limit-tokens': '100',
      'x-ratelimit-remaining-tokens': '10',
      'x-ratelimit-reset-tokens': '3s',
      'x-ratelimit-remaining-input-tokens': '900',
      'x-ratelimit-remaining-output-tokens': '10',
    });
  });

  it('retry-after is whole seconds and never 0; retry-after-ms is exact', () => {
    const h: Record<string, string> = {};
    retryHeaders(1, h);
    expect(h).toEqual({ 'retry-after': '1', 'retry-after-ms': '1' });
    retryHeaders(60_500, h);
    expect(h).toEqual({ 'retry-after': '61', 'retry-after-ms': '60500' });
  });
});
