import { describe, expect, it } from 'vitest';
import { ProviderQuota, type QuotaAlert } from '../../../src/upstream/providers/quota.js';

describe('provider quota per deployment (alert at 80%)', () => {
  const setup = (quota: ConstructorParameters<typeof ProviderQuota>[1]) => {
    const alerts: QuotaAlert[] = [];
    let now = 60_000 * 1000;
    const q = new ProviderQuota(
      'gpt',
      quota,
      (a) => alerts.push(a),
      null,
      () => now,
    );
    return { q, alerts, advance: (ms: number) => (now += ms) };
  };

  it('alerts once when the allocated tokens per minute reach 80%, and again in the next minute', () => {
    const { q, alerts, advance } = setup({ tokensPerMinute: 1000, alertAt: 0.8 });
    q.observe({}, 500);
    expect(alerts).toEqual([]);
    q.observe({}, 300);
    expect(alerts).toEqual([
      { route: 'gpt', dimension: 'tokens', source: 'allocated', used: 800, limit: 1000, ratio: 0.8 },
    ]);
    q.observe({}, 100);
    expect(alerts).toHaveLength(1); // once per minute and dimension
    advance(60_000);
    q.observe({}, 100);
    expect(alerts).toHaveLength(1); // a new minute starts from zero
    q.observe({}, 750);
    expect(alerts).toHaveLength(2);
  });

  it('counts requests against the allocated requests per minute', () => {
    const { q, alerts } = setup({ requestsPerMinute: 5, alertAt: 0.8 });
    for (let i = 0; i < 3; i++) q.observe({}, 0);
    expect(alerts).toEqual([]);
    q.observe({}, 0);
    expect(alerts.map((a) => [a.dimension, a.used, a.limit])).toEqual([['requests', 4, 5]]);
  });

  it("reads the provider's rate-limit headers (OpenAI/Azure and Anthropic names)", () => {
    const { q, alerts } = setup(undefined);
    q.observe({ 'x-ratelimit-limit-tokens': '10000', 'x-ratelimit-remaining-tokens': '5000' }, 0);
    expect(alerts).toEqual([]);
    q.observe({ 'x-ratelimit-limit-tokens': '10000', 'x-ratelimit-remaining-tokens': '1500' }, 0);
    q.observe(
      { 'anthropic-ratelimit-requests-limit': '50', 'anthropic-ratelimit-requests-remaining': '9' },
      0,
    );
    expect(alerts.map((a) => [a.dimension, a.source, a.used, a.limit])).toEqual([
      ['tokens', 'provider', 8500, 10000],
      ['requests', 'provider', 41, 50],
    ]);
  });
});
