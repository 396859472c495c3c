import { describe, expect, it } from 'vitest';
import { alertsSchema } from '../../../src/config/schema/telemetry.js';
import { createMemoryStore } from '../../../src/store/memory.js';
import { createAlertEngine } from '../../../src/telemetry/alerts/engine.js';
import type { AlertRecord } from '../../../src/telemetry/audit/security.js';

const BUCKET = 10_000;
const MIN = 60_000;

/** An engine on a controllable clock: `run(ms, perBucket)` feeds each 10 s bucket, then ticks. */
async function harness(over: Record<string, unknown> = {}) {
  const clock = { t: Date.UTC(2026, 0, 1) };
  const now = () => clock.t;
  const notes: AlertRecord[] = [];
  const engine = createAlertEngine({
    config: alertsSchema.parse(over),
    store: createMemoryStore(now),
    now,
    autoTick: false,
    notify: (a) => {
      notes.push(a);
    },
  });
  await engine.start();
  const run = async (ms: number, perBucket: () => void = () => {}) => {
    for (let e = 0; e < ms; e += BUCKET) {
      perBucket();
      clock.t += BUCKET;
      await engine.tick();
    }
  };
  const of = (signal: string, status?: 'firing' | 'resolved') =>
    notes.filter((n) => n.signal === signal && (status === undefined || n.status === status));
  return { engine, notes, run, of, clock };
}

const traffic =
  (
    engine: Awaited<ReturnType<typeof harness>>['engine'],
    o: { n?: number; errors?: number; ms?: number; tokens?: number; blocks?: number },
  ) =>
  () => {
    const n = o.n ?? 100;
    for (let i = 0; i < n; i++)
      engine.observeRequest({
        status: i < (o.errors ?? 0) ? 502 : 200,
        latencyMs: o.ms ?? 100,
        tokens: o.tokens ?? 10,
        blocked: i < (o.blocks ?? 0),
      });
  };

describe('alert engine signals (controllable clock)', () => {
  it('5xx error rate: fires High after 5 minutes over 5 %, once, and resolves when clear', async () => {
    const h = await harness();
    await h.run(3 * MIN, traffic(h.engine, { errors: 2 }));
    expect(h.of('error_rate')).toHaveLength(0);
    await h.run(4 * MIN, traffic(h.engine, { errors: 10 }));
    expect(h.of('error_rate', 'firing')).toHaveLength(0);
    await h.run(3 * MIN, traffic(h.engine, { errors: 10 }));
    const fired = h.of('error_rate', 'firing');
    expect(fired).toHaveLength(1);
    expect(fired[0]!.severity).toBe('high');
    expect(fired[0]!.value).toBeCloseTo(0.1);
    expect(h.engine.firing().map((a) => a.signal)).toContain('error_rate');
    await h.run(2 * MIN, traffic(h.engine, { errors: 0 }));
    expect(h.of('error_rate', 'resolved')).toHaveLength(1);
    expect(h.of('error_rate', 'firing')).toHaveLength(1);
    expect(h.engine.firing()).toHaveLength(0);
  });

  it('p99 latency: needs a warm baseline, fires Medium after 10 minutes over 2x, resolves', async () => {
    // Before the baseline has an hour of history, nothing fires.
    const cold = await harness();
    await cold.run(30 * MIN, traffic(cold.engine, { ms: 100 }));
    await cold.run(12 * MIN, traffic(cold.engine, { ms: 2_000 }));
    expect(cold.of('latency_p99')).toHaveLength(0);

    const h = await harness();
    await h.run(70 * MIN, traffic(h.engine, { ms: 100 }));
    expect(h.of('latency_p99')).toHaveLength(0);
    await h.run(8 * MIN, traffic(h.engine, { ms: 400 }));
    expect(h.of('latency_p99')).toHaveLength(0);
    await h.run(10 * MIN, traffic(h.engine, { ms: 400 }));
    const fired = h.of('latency_p99', 'firing');
    expect(fired).toHaveLength(1);
    expect(fired[0]!.severity).toBe('medium');
    expect(fired[0]!.baseline).toBeGreaterThan(50);
    await h.run(7 * MIN, traffic(h.engine, { ms: 100 }));
    expect(h.of('latency_p99', 'resolved')).toHaveLength(1);
  });

  it('GPU memory: fires Medium when over 90 % for 5 minutes, resolves below', async () => {
    const h = await harness();
    await h.run(3 * MIN, () => h.engine.observeGpu(0.95));
    expect(h.of('gpu_memory')).toHaveLength(0);
    await h.run(4 * MIN, () => h.engine.observeGpu(0.95));
    expect(h.of('gpu_memory', 'firing')).toHaveLength(1);
    expect(h.of('gpu_memory')[0]!.severity).toBe('medium');
    await h.run(2 * MIN, () => h.engine.observeGpu(0.5));
    expect(h.of('gpu_memory', 'resolved')).toHaveLength(1);
  });

  it('token throughput: fires High when more than 50 % below the baseline, resolves on recovery', async () => {
    const h = await harness();
    await h.run(70 * MIN, traffic(h.engine, { n: 10, tokens: 100 }));
    expect(h.of('token_throughput')).toHaveLength(0);
    await h.run(4 * MIN, traffic(h.engine, { n: 10, tokens: 20 }));
    expect(h.of('token_throughput')).toHaveLength(0);
    await h.run(8 * MIN, traffic(h.engine, { n: 10, tokens: 20 }));
    const fired = h.of('token_throughput', 'firing');
    expect(fired).toHaveLength(1);
    expect(fired[0]!.severity).toBe('high');
    await h.run(12 * MIN, traffic(h.engine, { n: 10, tokens: 100 }));
    expect(h.of('token_throughput', 'resolved')).toHaveLength(1);
  });

  it('guardrail block rate: fires Medium above 3x the baseline in 15 minutes, resolves', async () => {
    const h = await harness();
    await h.run(70 * MIN, traffic(h.engine, { blocks: 1 }));
    await h.run(2 * MIN, traffic(h.engine, { blocks: 2 }));
    expect(h.of('guardrail_block_rate')).toHaveLength(0);
    await h.run(10 * MIN, traffic(h.engine, { blocks: 20 }));
    const fired = h.of('guardrail_block_rate', 'firing');
    expect(fired).toHaveLength(1);
    expect(fired[0]!.severity).toBe('medium');
    await h.run(20 * MIN, traffic(h.engine, { blocks: 1 }));
    expect(h.of('guardrail_block_rate', 'resolved')).toHaveLength(1);
  });

  it('auth failures: more than 10 from one IP in a minute fires High per IP; 10 does not', async () => {
    const h = await harness();
    await h.run(BUCKET, () => {
      for (let i = 0; i < 10; i++) h.engine.observeAuthFailure('198.51.100.7');
    });
    await h.run(MIN);
    expect(h.of('auth_failures')).toHaveLength(0);
    await h.run(BUCKET, () => {
      for (let i = 0; i < 6; i++) h.engine.observeAuthFailure('203.0.113.9');
    });
    await h.run(BUCKET, () => {
      for (let i = 0; i < 5; i++) h.engine.observeAuthFailure('203.0.113.9');
      h.engine.observeAuthFailure('198.51.100.7');
    });
    await h.run(BUCKET);
    const fired = h.of('auth_failures', 'firing');
    expect(fired).toHaveLength(1);
    expect(fired[0]!.labels).toEqual({ source_ip: '203.0.113.9' });
    expect(fired[0]!.severity).toBe('high');
    expect(h.engine.gauges().authFailuresMaxPerIp).toBe(11);
    await h.run(2 * MIN);
    expect(h.of('auth_failures', 'resolved')).toHaveLength(1);
  });

  it('unknown consumer: any request fires Medium, resolves after a quiet window', async () => {
    const h = await harness();
    await h.run(BUCKET, () => h.engine.observeUnknownConsumer('192.0.2.44'));
    await h.run(BUCKET);
    expect(h.of('unknown_consumer', 'firing')).toHaveLength(1);
    expect(h.of('unknown_consumer')[0]!.severity).toBe('medium');
    await h.run(10 * MIN, () => h.engine.observeUnknownConsumer('192.0.2.44'));
    expect(h.of('unknown_consumer', 'firing')).toHaveLength(1);
    await h.run(16 * MIN);
    expect(h.of('unknown_consumer', 'resolved')).toHaveLength(1);
  });

  it('quota: over 80 % fires Low per consumer and dimension, resolves when use drops', async () => {
    const h = await harness();
    await h.run(BUCKET, () => h.engine.observeQuota('team-a', 'input_tokens/m', 0.79));
    await h.run(BUCKET);
    expect(h.of('quota')).toHaveLength(0);
    await h.run(BUCKET, () => h.engine.observeQuota('team-a', 'input_tokens/m', 0.85));
    await h.run(BUCKET);
    const fired = h.of('quota', 'firing');
    expect(fired).toHaveLength(1);
    expect(fired[0]!.severity).toBe('low');
    expect(fired[0]!.labels).toEqual({ consumer: 'team-a', dimension: 'input_tokens/m' });
    expect(h.engine.gauges().quotaMaxRatio).toEqual([{ dimension: 'input_tokens/m', ratio: 0.85 }]);
    await h.run(BUCKET, () => h.engine.observeQuota('team-a', 'input_tokens/m', 0.1));
    await h.run(BUCKET);
    expect(h.of('quota', 'resolved')).toHaveLength(1);
  });

  it('audit spool full: fires High, resolves once nothing is dropped for the window', async () => {
    const h = await harness();
    h.engine.observeSpool('siem', 0, false);
    await h.run(BUCKET, () => h.engine.observeSpool('siem', 12, true));
    await h.run(BUCKET);
    expect(h.of('audit_spool', 'firing')).toHaveLength(1);
    expect(h.of('audit_spool')[0]!.labels).toEqual({ sink: 'siem' });
    await h.run(6 * MIN, () => h.engine.observeSpool('siem', 12, false));
    expect(h.of('audit_spool', 'resolved')).toHaveLength(1);
  });

  it('thresholds, severities and switches are configurable', async () => {
    const h = await harness({
      signals: { authFailures: { threshold: 2, severity: 'medium' }, unknownConsumer: { enabled: false } },
    });
    await h.run(BUCKET, () => {
      for (let i = 0; i < 3; i++) h.engine.observeAuthFailure('198.51.100.1');
      h.engine.observeUnknownConsumer('198.51.100.1');
    });
    await h.run(BUCKET);
    expect(h.of('auth_failures', 'firing').map((a) => a.severity)).toEqual(['medium']);
    expect(h.of('unknown_consumer')).toHaveLength(0);
  });
});
