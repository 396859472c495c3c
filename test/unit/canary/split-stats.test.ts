import { describe, expect, it } from 'vitest';
import { compare } from '../../../src/canary/compare.js';
import { canaryRoutesLint } from '../../../src/canary/lint.js';
import { assignBucket } from '../../../src/canary/split-stage.js';
import { alphaAtLook, bucketOf, mannWhitney, twoProportion } from '../../../src/canary/stats-math.js';
import { parseConfig } from '../../../src/config/load.js';
import { canaryGatesSchema } from '../../../src/config/schema/canary.js';

describe('canary split', () => {
  it('sends the configured share of 10,000 consumers to the canary, within binomial tolerance', () => {
    for (const weight of [1, 5, 25]) {
      let canary = 0;
      for (let i = 0; i < 10_000; i++)
        if (assignBucket('chat', 'chat-next', `consumer-${i}`) < weight * 100) canary++;
      const expected = 10_000 * (weight / 100);
      // 4 standard deviations of Binomial(10000, w): fails by chance about once in 16,000 runs.
      const sd = Math.sqrt(10_000 * (weight / 100) * (1 - weight / 100));
      expect(Math.abs(canary - expected)).toBeLessThan(4 * sd);
    }
  });

  it('is sticky: one consumer always gets one bucket; raising the weight keeps canary consumers on the canary', () => {
    for (let i = 0; i < 1000; i++) {
      const b = assignBucket('chat', 'chat-next', `c${i}`);
      expect(assignBucket('chat', 'chat-next', `c${i}`)).toBe(b);
      if (b < 500) expect(b < 2500).toBe(true);
    }
    // Another canary (or route) reshuffles: the same consumers are not always the guinea pigs.
    const same = Array.from({ length: 1000 }, (_, i) => i).filter(
      (i) => assignBucket('chat', 'chat-next', `c${i}`) === assignBucket('chat', 'chat-v3', `c${i}`),
    );
    expect(same.length).toBeLessThan(10);
  });
});

describe('canary statistics', () => {
  const gates = canaryGatesSchema.parse({ minSamples: 100 });

  it('spends alpha over doubling looks (the total stays below alpha)', () => {
    expect(alphaAtLook(99, 100, 0.01)).toBeNull();
    expect(alphaAtLook(100, 100, 0.01)).toEqual({ look: 1, alpha: 0.005 });
    expect(alphaAtLook(400, 100, 0.01)?.look).toBe(3);
    let spent = 0;
    for (let k = 1; k < 60; k++) spent += 0.01 / (k * (k + 1));
    expect(spent).toBeLessThan(0.01);
  });

  it('two-proportion and Mann–Whitney see a real shift and not a null one', () => {
    expect(twoProportion(5, 1000, 60, 1000).p).toBeLessThan(1e-6);
    expect(twoProportion(50, 1000, 52, 1000).p).toBeGreaterThan(0.1);
    const a = new Map([
      [bucketOf(20), 500],
      [bucketOf(21), 500],
    ]);
    const b = new Map([
      [bucketOf(80), 500],
      [bucketOf(90), 500],
    ]);
    expect(mannWhitney(a, b).effect).toBe(1);
    expect(mannWhitney(a, a).p).toBeGreaterThan(0.5);
  });

  it('does not decide on a small canary: a large rate gap with few samples stays pending', () => {
    const base = { n: 500, err: 0, 'g:output:pii': 5 };
    const small = { n: 20, err: 0, 'g:output:pii': 4 };
    expect(compare(base, small, gates, false).verdict).toBe('pending');
    const big = { n: 200, err: 0, 'g:output:pii': 40 };
    const r = compare(base, big, gates, false);
    expect(r.verdict).toBe('fail');
    expect(r.rows.find((x) => x.metric.includes('pii'))?.verdict).toBe('fail');
  });

  it('a gap below the configured delta passes even when significant', () => {
    const base = { n: 20_000, err: 100 };
    const can = { n: 20_000, err: 180 };
    const row = compare(base, can, gates, false).rows.find((x) => x.metric === 'error rate');
    expect(row?.p).toBeLessThan(0.001);
    expect(row?.verdict).toBe('pass');
  });
});

describe('canary config', () => {
  const route = (alias: string, model: string) => ({
    alias,
    upstream: { provider: 'openai' as const, url: 'http://127.0.0.1:1/v1', model, zone2Colocated: true },
  });

  it('refuses a starting weight above maxWeight and stages that do not end at 100', () => {
    expect(() => parseConfig({ canary: { routes: [{ route: 'a', deployment: 'b', weight: 10 }] } })).toThrow(
      /maxWeight/,
    );
    expect(() =>
      parseConfig({ canary: { routes: [{ route: 'a', deployment: 'b', stages: [5, 25] }] } }),
    ).toThrow(/last stage/);
  });

  it('lint names a canary whose route or deployment is not configured', () => {
    const cfg = parseConfig({
      routes: [route('a', 'm-2026-01-01'), route('b', 'm-2026-02-01')],
      canary: {
        routes: [
          { route: 'a', deployment: 'missing' },
          { route: 'b', deployment: 'b' },
        ],
      },
    });
    const problems = canaryRoutesLint(cfg).join('\n');
    expect(problems).toContain('deployment "missing" is not a configured route');
    expect(problems).toContain('cannot be its own canary');
  });
});

describe('canary Judge gate', () => {
  const gates = canaryGatesSchema.parse({ minSamples: 100, judgeMinSamples: 30 });
  const base = { n: 1000, err: 0, 'j:r1:e': 200, 'j:r1:f': 4, 'j:r2:e': 100, 'j:r2:f': 2 };

  it('sums every replica’s calibrated-rubric counts and fails a canary the Judge flags more', () => {
    const can = { n: 1000, err: 0, 'j:r1:e': 150, 'j:r1:f': 30, 'j:r2:e': 150, 'j:r2:f': 30 };
    const row = compare(base, can, gates, true).rows.find((r) => r.metric.startsWith('judge'));
    expect(row).toMatchObject({ baseline: 0.02, canary: 0.2, verdict: 'fail' });
  });

  it('waits for judgeMinSamples evaluations, and is skipped without a Judge signal', () => {
    const few = { n: 1000, err: 0, 'j:r1:e': 10, 'j:r1:f': 5 };
    expect(compare(base, few, gates, true).rows.find((r) => r.metric.startsWith('judge'))?.verdict).toBe(
      'pending',
    );
    expect(compare(base, few, gates, false).rows.find((r) => r.metric.startsWith('judge'))?.verdict).toBe(
      'skipped',
    );
  });
});
