import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { alertsSchema } from '../../../src/config/schema/telemetry.js';
import { createRedisStore, type RedisStore } from '../../../src/store/redis.js';
import { type AlertEngine, createAlertEngine } from '../../../src/telemetry/alerts/engine.js';
import type { AlertRecord } from '../../../src/telemetry/audit/security.js';
import { eventually } from '../../helpers/gateway.js';

/**
 * The alert lifecycle on two replicas sharing a real Redis, on a controllable clock: every
 * transition (fire, resolve, fire again) is sent exactly once across replicas, however soon it
 * follows the previous one; fingerprints are printable and stable.
 */
const stores: RedisStore[] = [];
const engines: AlertEngine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
  for (const s of stores.splice(0)) await s.close();
});

type Note = AlertRecord & { replica: string };

async function replicas(over: Record<string, unknown>) {
  const prefix = `gh-test-lifecycle-${randomUUID()}:`;
  const clock = { t: Date.UTC(2026, 0, 1, 12) };
  const notes: Note[] = [];
  const pair = ['a', 'b'].map((replica) => {
    const store = createRedisStore({ url: 'redis://127.0.0.1:6379', prefix });
    stores.push(store);
    const engine = createAlertEngine({
      config: alertsSchema.parse(over),
      store,
      now: () => clock.t,
      replica,
      autoTick: false,
      notify: (a) => {
        notes.push({ ...a, replica });
      },
    });
    engines.push(engine);
    return engine;
  });
  await eventually(() => expect(stores.every((s) => s.healthy())).toBe(true));
  for (const e of pair) await e.start();
  /** Closes the current bucket on both replicas and evaluates on both. */
  const step = async (ms: number) => {
    clock.t += ms;
    for (const e of pair) await e.tick();
  };
  return { pair, notes, clock, step };
}

const GPU = { evaluateIntervalMs: 10_000, signals: { gpuMemory: { windowMs: 10_000, forMs: 0 } } };

describe('alert lifecycle across two replicas (real Redis, controllable clock)', () => {
  it('fire, resolve and fire again inside the old 60 s claim slot: three notifications, one each', async () => {
    const { pair, notes, step } = await replicas(GPU);
    // Every replica scrapes the same GPU endpoint, so both see the same value.
    const gpu = async (ratio: number) => {
      for (const e of pair) e.observeGpu(ratio);
      await step(10_000);
    };
    await gpu(0.95);
    await gpu(0.1);
    await gpu(0.95);
    expect(notes.map((n) => [n.signal, n.status])).toEqual([
      ['gpu_memory', 'firing'],
      ['gpu_memory', 'resolved'],
      ['gpu_memory', 'firing'],
    ]);
    expect(pair.every((e) => e.firing().some((a) => a.signal === 'gpu_memory'))).toBe(true);
    // The resolved notice carries the value that cleared it, not the one that fired.
    expect(notes.map((n) => n.value)).toEqual([0.95, 0.1, 0.95]);
    // Held: more evaluations send nothing.
    await gpu(0.96);
    await gpu(0.97);
    expect(notes).toHaveLength(3);
    await gpu(0.2);
    expect(notes.map((n) => n.status)).toEqual(['firing', 'resolved', 'firing', 'resolved']);
  });

  it('fire, resolve and fire again well outside any slot: still one notification per transition', async () => {
    const { pair, notes, step } = await replicas(GPU);
    const gpu = async (ratio: number, buckets = 1) => {
      for (let i = 0; i < buckets; i++) {
        for (const e of pair) e.observeGpu(ratio);
        await step(10_000);
      }
    };
    await gpu(0.95, 3);
    await gpu(0.1, 12);
    await gpu(0.95, 2);
    expect(notes.map((n) => n.status)).toEqual(['firing', 'resolved', 'firing']);
    expect(new Set(notes.map((n) => n.fingerprint))).toEqual(new Set(['gpu_memory:']));
  });

  it('a replica that sees the condition one evaluation late sends nothing more', async () => {
    const { pair, notes, clock } = await replicas({
      ...GPU,
      signals: { authFailures: { windowMs: 10_000, threshold: 3 } },
    });
    const [a, b] = pair as [AlertEngine, AlertEngine];
    for (let i = 0; i < 5; i++) a.observeAuthFailure('2001:db8::7');
    clock.t += 10_000;
    await a.tick();
    // b evaluates only after a has fired; its view has a's bucket through Redis pub/sub.
    await eventually(async () => {
      await b.tick();
      expect(b.firing().map((x) => x.fingerprint)).toEqual(['auth_failures:2001:db8::7']);
    });
    clock.t += 10_000;
    await a.tick();
    await b.tick();
    expect(notes.map((n) => [n.status, n.replica, n.value])).toEqual([
      ['firing', 'a', 5],
      ['resolved', 'a', 0],
    ]);
  });

  it('one quota condition is one alert with a printable, stable fingerprint', async () => {
    const { pair, notes, step } = await replicas({ signals: { quota: { windowMs: 60_000 } } });
    const consumer = 'team\u0000search: eu';
    for (const e of pair) {
      e.observeQuota(consumer, 'input_tokens', 0.84);
      e.observeQuota(consumer, 'input_tokens', 0.85);
    }
    await step(10_000);
    await step(10_000);
    const fired = notes.filter((n) => n.status === 'firing');
    expect(fired).toHaveLength(1);
    expect(fired[0]!.fingerprint).toBe('quota:team%00search%3A%20eu:input_tokens');
    expect(fired[0]!.fingerprint).toMatch(/^[\x21-\x7e]+$/);
    expect(fired[0]!.labels).toEqual({ consumer, dimension: 'input_tokens' });
    expect(pair[0]!.gauges().quotaMaxRatio).toEqual([{ dimension: 'input_tokens', ratio: 0.85 }]);
  });
});
