import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { judgeSchema } from '../../../src/config/schema/judge.js';
import { createAggregates } from '../../../src/judge/aggregate/index.js';
import { createMemoryBackend } from '../../../src/judge/backend/memory.js';
import { createBreaker } from '../../../src/judge/breaker.js';
import { createHealthMonitor } from '../../../src/judge/health.js';
import { createJudgeMetrics } from '../../../src/judge/metrics.js';
import { createSampler } from '../../../src/judge/sampler.js';
import type { RequestContext, Verdict } from '../../../src/pipeline/context.js';
import type { DegradationSignal, PaceState } from '../../../src/pipeline/pace.js';

const cfg = (over: Record<string, unknown> = {}) =>
  judgeSchema.parse({ enabled: true, endpoint: { url: 'http://j/v1', model: 'j' }, ...over });

/** The fields the sampler and aggregate judges read, on an answered request. */
function ctx(over: Partial<RequestContext> = {}): RequestContext {
  return {
    route: { alias: 'chat', tier: 2 },
    status: 200,
    clientAborted: false,
    endpoint: 'chat',
    flags: [],
    verdicts: [] as Verdict[],
    identity: { consumer: 'acme', agent: 'bot-1' },
    usage: { inputTokens: 10, outputTokens: 10 },
    inputTokens: 10,
    cost: 0.001,
    upstream: null,
    ...over,
  } as unknown as RequestContext;
}

const routes = new Map([['chat', { tier: 2 as const }]]);

describe('sampler', () => {
  it('flagged, redacted and near-miss answers always go; the rest at the tier rate or the route override', () => {
    let draw = 0.5;
    const s = createSampler(
      cfg(),
      routes,
      () => undefined,
      () => draw,
    );
    expect(s.decide(ctx({ flags: ['policy:exfil'] }))).toBe('flagged');
    expect(
      s.decide(
        ctx({ verdicts: [{ phase: 'output', detector: 'pii', type: 'EMAIL', action: 'redact', score: 1 }] }),
      ),
    ).toBe('flagged');
    expect(
      s.decide(
        ctx({
          verdicts: [
            { phase: 'input', detector: 'injection', type: 'classifier', action: 'allow', score: 0.4 },
          ],
        }),
      ),
    ).toBe('near_miss');
    // Tier 2 default: 10%.
    expect(s.decide(ctx())).toBeNull();
    draw = 0.05;
    expect(s.decide(ctx())).toBe('sampled');
    const off = createSampler(
      cfg({ sampling: { routes: { chat: { rate: 0 } } } }),
      routes,
      () => undefined,
      () => 0,
    );
    expect(off.decide(ctx())).toBeNull();
    expect(off.decide(ctx({ flags: ['x'] }))).toBe('flagged');
  });

  it('PACE Alternate forces every answer in; refused, aborted and embedding requests never go', () => {
    let state: PaceState = 'primary';
    const s = createSampler(
      cfg({ sampling: { routes: { chat: { rate: 0 } } } }),
      routes,
      () => ({ stateOf: () => state }),
      () => 0.99,
    );
    expect(s.decide(ctx())).toBeNull();
    state = 'alternate';
    expect(s.decide(ctx())).toBe('alternate');
    expect(s.decide(ctx({ status: 400, flags: ['x'] }))).toBeNull();
    expect(s.decide(ctx({ clientAborted: true, flags: ['x'] }))).toBeNull();
    expect(s.decide(ctx({ endpoint: 'embeddings', flags: ['x'] }))).toBeNull();
  });
});

describe('aggregate judges', () => {
  it('a consumer spending far above its own hourly mean is a cost anomaly, once per hour', () => {
    let now = 0;
    const agg = createAggregates(cfg({ aggregate: { minHours: 3, spikeFactor: 3 } }).aggregate, () => now);
    const HOUR = 3_600_000;
    for (let h = 0; h < 4; h++) {
      now = h * HOUR;
      for (let i = 0; i < 10; i++) expect(agg.observe(ctx())).toEqual([]);
    }
    now = 4 * HOUR;
    const found = [];
    for (let i = 0; i < 40; i++) found.push(...agg.observe(ctx()));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      kind: 'cost_anomaly',
      consumer: 'acme',
      source: 'aggregate',
      verdict: 'escalate',
    });
    expect(found[0]?.id).toBe('agg:cost_anomaly:acme:4');
    expect(found[0]?.owasp.llm).toEqual(['LLM10']);
  });

  it('riding a quota just under its limit in many hours of a day is a finding', () => {
    let now = 0;
    const agg = createAggregates(
      cfg({ aggregate: { nearLimitHours: 4, nearLimitRatio: 0.8 } }).aggregate,
      () => now,
    );
    const quota = [{ dimension: 'cost', used: 9, limit: 10 }];
    const found = [];
    for (let h = 0; h < 6; h++) {
      now = h * 3_600_000;
      found.push(...agg.observe(ctx({ quotaUsage: quota })));
    }
    expect(found.map((f) => f.kind)).toEqual(['near_limit']);
    expect(found[0]?.scores.near_limit_hours).toBe(4);
  });

  it('a tool-call pair an agent never made after its warm-up is reported once', () => {
    const agg = createAggregates(cfg({ aggregate: { toolWarmup: 3 } }).aggregate);
    const calling = (...names: string[]) =>
      ctx({
        upstream: {
          status: 200,
          stream: null,
          json: {
            choices: [
              {
                message: {
                  tool_calls: names.map((n) => ({
                    type: 'function',
                    function: { name: n, arguments: '{}' },
                  })),
                },
              },
            ],
          },
        },
      });
    for (let i = 0; i < 3; i++) expect(agg.observe(calling('search', 'read'))).toEqual([]);
    const odd = agg.observe(calling('search', 'delete_all'));
    expect(odd.map((f) => [f.kind, f.id])).toEqual([
      ['tool_sequence', 'agg:tool_sequence:bot-1:search→delete_all'],
    ]);
    expect(agg.observe(calling('search', 'delete_all'))).toEqual([]);
  });
});

describe('judge health', () => {
  it('an open breaker or a backlog raises judge_degraded once, and clears it on recovery', async () => {
    let now = 0;
    const c = cfg({ queue: { backlogThreshold: 2 }, breaker: { failureThreshold: 2, openMs: 1_000 } });
    const backend = createMemoryBackend({ maxLength: 100, maxFindings: 10, recordTtlMs: 1_000 });
    const breaker = createBreaker(c.breaker, () => now);
    const raised: Array<[DegradationSignal, string | null, boolean]> = [];
    const alerts: boolean[] = [];
    const h = createHealthMonitor({
      cfg: c,
      backend,
      breaker,
      metrics: createJudgeMetrics(new Registry()),
      logger: pino({ level: 'silent' }),
      signals: () => ({ set: (s, r, a) => raised.push([s, r, a]) }),
      alert: (x) => alerts.push(x.degraded),
    });
    expect((await h.check()).degraded).toBe(false);
    breaker.failure();
    breaker.failure();
    expect((await h.check()).reason).toBe('breaker_open');
    expect(await h.check()).toMatchObject({ degraded: true });
    now = 1_001;
    expect(breaker.allow()).toBe(true);
    breaker.success();
    expect((await h.check()).degraded).toBe(false);
    for (let i = 0; i < 3; i++) await backend.enqueue('{}');
    expect((await h.check()).reason).toBe('queue_backlog');
    expect(raised).toEqual([
      ['judge_degraded', null, true],
      ['judge_degraded', null, false],
      ['judge_degraded', null, true],
    ]);
    expect(alerts).toEqual([true, false, true]);
  });
});
