import { describe, expect, it } from 'vitest';
import { breakerSchema, signalSchema } from '../../../src/config/schema/resilience.js';
import { GatehouseError } from '../../../src/errors/gatehouse-error.js';
import { SignalWindow } from '../../../src/resilience/pace/signal-window.js';
import { createBreakers } from '../../../src/resilience/upstream/breaker.js';
import { backoffMs, classifyFailure, retryAfterMs } from '../../../src/resilience/upstream/classify.js';
import { createMemoryStore } from '../../../src/store/memory.js';

/** The state machines with a controllable clock: hysteresis, dwell, the breaker's cycle, retry rules. */
describe('signal window hysteresis', () => {
  const cfg = signalSchema.parse({
    windowMs: 1_000,
    enterRatio: 0.5,
    minFailures: 2,
    exitRatio: 0.1,
    minDwellMs: 500,
  });

  it('enters on the enter threshold, not before', () => {
    const w = new SignalWindow(cfg, 0);
    w.observe(true, 10);
    expect(w.active).toBe(false); // one failure < minFailures
    for (const t of [20, 30, 40]) w.observe(false, t);
    w.observe(true, 50);
    expect(w.active).toBe(false); // 2/5 = 0.4 < 0.5
    w.observe(true, 60);
    expect(w.active).toBe(true); // 3/6 = 0.5
  });

  it('stays for the minimum dwell and until the share falls to the exit threshold', () => {
    const w = new SignalWindow(cfg, 0);
    for (let i = 0; i < 3; i++) w.observe(true, i);
    expect(w.active).toBe(true);
    for (let i = 0; i < 40; i++) w.observe(false, 100 + i); // 3/43 ≈ 0.07 ≤ exit, but dwell not over
    expect(w.active).toBe(true);
    w.evaluate(600);
    expect(w.active).toBe(false);
  });

  it('between the thresholds it keeps its state (no flapping)', () => {
    const w = new SignalWindow(cfg, 0);
    for (let i = 0; i < 3; i++) w.observe(true, i);
    for (let i = 0; i < 7; i++) w.observe(false, 10 + i); // 3/10 = 0.3: below enter, above exit
    w.evaluate(700);
    expect(w.active).toBe(true);
    w.evaluate(2_500); // the window went quiet: recovered
    expect(w.active).toBe(false);
  });
});

describe('breaker', () => {
  it('closed → open on consecutive failures → half-open with limited probes → closed', async () => {
    let now = 1_000;
    const store = createMemoryStore();
    const b = createBreakers({ store, pollMs: 1_000, replica: 'r1', now: () => now });
    const cfg = breakerSchema.parse({
      consecutiveFailures: 3,
      minCalls: 100,
      openMs: 500,
      halfOpenProbes: 1,
    });
    for (let i = 0; i < 3; i++) b.report('m', cfg, b.admit('m', cfg), true);
    expect(b.state('m')).toBe('open');
    expect(b.admit('m', cfg)).toBe('refuse');
    now += 500;
    expect(b.state('m')).toBe('half_open');
    expect(b.admit('m', cfg)).toBe('probe');
    expect(b.admit('m', cfg)).toBe('refuse'); // one probe at a time
    b.report('m', cfg, 'probe', true); // failed probe: open again
    expect(b.state('m')).toBe('open');
    now += 500;
    b.report('m', cfg, b.admit('m', cfg), false);
    expect(b.state('m')).toBe('closed');
    await b.close();
    await store.close();
  });

  it('opens on the failure ratio over the window', async () => {
    const store = createMemoryStore();
    const b = createBreakers({ store, pollMs: 1_000, replica: 'r1', now: () => 0 });
    const cfg = breakerSchema.parse({ consecutiveFailures: 100, minCalls: 10, failureRatio: 0.5 });
    for (let i = 0; i < 10; i++) b.report('m', cfg, 'call', i % 2 === 1);
    expect(b.state('m')).toBe('open');
    await b.close();
    await store.close();
  });
});

describe('retry rules', () => {
  const err = (
    code: 'GH_ERR_UPSTREAM_ERROR' | 'GH_ERR_UPSTREAM_REJECTED' | 'GH_ERR_UPSTREAM_UNAVAILABLE',
    status?: number,
  ) => new GatehouseError(code, status === undefined ? {} : { cause: { upstreamStatus: status } });
  it.each([
    [err('GH_ERR_UPSTREAM_UNAVAILABLE'), 'retry'],
    [err('GH_ERR_UPSTREAM_ERROR', 503), 'retry'],
    [err('GH_ERR_UPSTREAM_ERROR', 502), 'retry'],
    [err('GH_ERR_UPSTREAM_ERROR', 500), 'next'],
    [err('GH_ERR_UPSTREAM_ERROR', 404), 'next'],
    [err('GH_ERR_UPSTREAM_REJECTED', 400), 'stop'],
    [new GatehouseError('GH_ERR_UPSTREAM_FIRST_BYTE_TIMEOUT'), 'next'],
    [new GatehouseError('GH_ERR_UPSTREAM_TOTAL_TIMEOUT'), 'stop'],
  ])('%s → %s', (e, next) => expect(classifyFailure(e).next).toBe(next));

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(1, 100, 2_000, () => 0)).toBe(50);
    expect(backoffMs(1, 100, 2_000, () => 1)).toBe(100);
    expect(backoffMs(3, 100, 2_000, () => 1)).toBe(400);
    expect(backoffMs(10, 100, 2_000, () => 1)).toBe(2_000);
  });

  it('reads retry-after in seconds or as a date', () => {
    expect(retryAfterMs('2', 0)).toBe(2_000);
    expect(retryAfterMs(new Date(5_000).toUTCString(), 1_000)).toBe(4_000);
    expect(retryAfterMs('soon', 0)).toBeNull();
    expect(retryAfterMs(undefined, 0)).toBeNull();
  });
});
