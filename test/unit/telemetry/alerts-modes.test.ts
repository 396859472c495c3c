import { describe, expect, it } from 'vitest';
import { alertsSchema } from '../../../src/config/schema/telemetry.js';
import { createMemoryStore } from '../../../src/store/memory.js';
import { createAlertEngine } from '../../../src/telemetry/alerts/engine.js';
import type { AlertRecord } from '../../../src/telemetry/audit/security.js';

/**
 * The held-state signals (PACE state, kill switch) and the egress denial burst on a controllable
 * clock, one replica or two sharing a store (the integration tests drive them from a real gateway).
 */
const BUCKET = 10_000;

async function harness(store = createMemoryStore(() => clock.t), over: Record<string, unknown> = {}) {
  const notes: AlertRecord[] = [];
  const engine = createAlertEngine({
    config: alertsSchema.parse(over),
    store,
    now: () => clock.t,
    autoTick: false,
    notify: (a) => {
      notes.push(a);
    },
  });
  await engine.start();
  const of = (signal: string, status?: 'firing' | 'resolved') =>
    notes.filter((n) => n.signal === signal && (status === undefined || n.status === status));
  return { engine, notes, of };
}
const clock = { t: Date.UTC(2026, 0, 1) };
/** Advances the clock bucket by bucket, ticking every engine after each. */
async function run(ms: number, engines: Array<{ tick(): Promise<void> }>, each: () => void = () => {}) {
  for (let e = 0; e < ms; e += BUCKET) {
    each();
    clock.t += BUCKET;
    for (const x of engines) await x.tick();
  }
}

describe('alert engine: PACE state and kill switch as held states', () => {
  it('a route entering Contingency fires once with its reason and resolves after it is back to Primary', async () => {
    const h = await harness();
    h.engine.observePace('demo', 'contingency', 'primary deployment breaker open');
    await run(60_000, [h.engine]);
    const fired = h.of('pace_state', 'firing');
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({
      severity: 'high',
      labels: { route: 'demo', state: 'contingency' },
      fingerprint: 'pace_state:demo:contingency',
    });
    expect(fired[0]?.summary).toContain('primary deployment breaker open');
    expect(h.of('pace_state', 'resolved')).toHaveLength(0);
    h.engine.observePace('demo', 'primary', 'all layers operational');
    await run(40_000, [h.engine]);
    expect(h.of('pace_state', 'resolved')).toHaveLength(1);
    expect(h.engine.firing()).toHaveLength(0);
  });

  it('Alternate → Contingency resolves one alert and fires the other; Emergency is left to the kill switch', async () => {
    const h = await harness();
    h.engine.observePace('r1', 'alternate', 'guard_degraded');
    await run(30_000, [h.engine]);
    h.engine.observePace('r1', 'contingency', 'upstream_degraded');
    await run(40_000, [h.engine]);
    expect(h.of('pace_state', 'firing').map((a) => a.labels.state)).toEqual(['alternate', 'contingency']);
    expect(h.of('pace_state', 'resolved').map((a) => a.labels.state)).toEqual(['alternate']);
    h.engine.observePace('r1', 'emergency', 'kill switch engaged');
    await run(40_000, [h.engine]);
    expect(h.of('pace_state', 'resolved').map((a) => a.labels.state)).toEqual(['alternate', 'contingency']);
    expect(h.of('pace_state', 'firing')).toHaveLength(2);
  });

  it('a state entered and left within one bucket still alerts (the bucket records it)', async () => {
    const h = await harness();
    h.engine.observePace('demo', 'alternate', 'guard_degraded');
    h.engine.observePace('demo', 'primary', 'all layers operational');
    await run(60_000, [h.engine]);
    expect(h.of('pace_state', 'firing')).toHaveLength(1);
    expect(h.of('pace_state', 'resolved')).toHaveLength(1);
  });

  it('a kill-switch entry fires with who and why, once across two replicas, and resolves on release', async () => {
    const store = createMemoryStore(() => clock.t);
    const a = await harness(store);
    const b = await harness(store);
    const why = 'kill switch engaged (route:demo) by alice: INC-7';
    a.engine.observeKill('route', 'demo', true, why);
    b.engine.observeKill('route', 'demo', true, why);
    await run(30_000, [a.engine, b.engine]);
    const fired = [...a.of('kill_switch', 'firing'), ...b.of('kill_switch', 'firing')];
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ labels: { scope: 'route', target: 'demo' }, summary: why });
    a.engine.observeKill('route', 'demo', false, 'released');
    b.engine.observeKill('route', 'demo', false, 'released');
    await run(40_000, [a.engine, b.engine]);
    expect([...a.of('kill_switch', 'resolved'), ...b.of('kill_switch', 'resolved')]).toHaveLength(1);
  });
});

describe('alert engine: egress denial bursts per identity', () => {
  it('fires for the identity over the threshold only, then resolves when the window is quiet', async () => {
    const h = await harness(undefined, { signals: { egressDenials: { threshold: 3 } } });
    await run(BUCKET, [h.engine], () => {
      for (let i = 0; i < 5; i++) h.engine.observeEgressDenial('agent');
      for (let i = 0; i < 2; i++) h.engine.observeEgressDenial('tool-a');
    });
    await run(BUCKET, [h.engine]);
    const fired = h.of('egress_denials', 'firing');
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ value: 5, threshold: 3, labels: { identity: 'agent' } });
    await run(2 * 60_000, [h.engine]);
    expect(h.of('egress_denials', 'resolved')).toHaveLength(1);
    expect(h.of('egress_denials').some((a) => a.labels.identity === 'tool-a')).toBe(false);
  });
});
