import { describe, expect, it } from 'vitest';
import { alertsSchema } from '../../../src/config/schema/telemetry.js';
import { createMemoryStore } from '../../../src/store/memory.js';
import { createClaimer } from '../../../src/telemetry/alerts/claim.js';
import { createAlertEngine } from '../../../src/telemetry/alerts/engine.js';
import { fingerprintPart } from '../../../src/telemetry/alerts/signals.js';

const B = 10_000;
const T0 = Date.UTC(2026, 0, 1);

function setup() {
  const clock = { t: T0 };
  const store = createMemoryStore(() => clock.t);
  const claimer = (replica: string) =>
    createClaimer({ store, prefix: 'x', replica, bucketMs: B, evaluateIntervalMs: B });
  return { clock, claimer };
}

describe('transition claims (who sends a transition every replica sees)', () => {
  it('one sender per transition; a lagging replica copy of an older transition is quiet', async () => {
    const { claimer } = setup();
    const a = claimer('a');
    const b = claimer('b');
    expect(await a.claim('gpu_memory:', 'firing', T0 + 10 * B)).toBe(true);
    expect(await b.claim('gpu_memory:', 'firing', T0 + 10 * B + 5_000)).toBe(false);
    expect(await a.claim('gpu_memory:', 'resolved', T0 + 16 * B)).toBe(true);
    // b's state machine is one evaluation behind: its firing in the bucket of a's resolve is old news.
    expect(await b.claim('gpu_memory:', 'firing', T0 + 16 * B + 9_000)).toBe(false);
    expect(await b.claim('gpu_memory:', 'resolved', T0 + 17 * B)).toBe(false);
    // A real re-fire, by either replica, is new.
    expect(await b.claim('gpu_memory:', 'firing', T0 + 18 * B)).toBe(true);
    expect(await a.claim('gpu_memory:', 'firing', T0 + 18 * B + 1)).toBe(false);
  });

  it("a replica's own transitions alternate: a re-fire in its resolve's bucket is still sent", async () => {
    const { claimer } = setup();
    const a = claimer('a');
    expect(await a.claim('quota:c:cost', 'firing', T0)).toBe(true);
    expect(await a.claim('quota:c:cost', 'resolved', T0 + 1_000)).toBe(true);
    expect(await a.claim('quota:c:cost', 'firing', T0 + 2_000)).toBe(true);
  });

  it('a replica started mid-episode stays quiet; an episode nobody holds any more is new', async () => {
    const { clock, claimer } = setup();
    const a = claimer('a');
    expect(await a.claim('error_rate:', 'firing', clock.t)).toBe(true);
    clock.t += 2 * B;
    await a.heartbeat('error_rate:');
    clock.t += 2 * B;
    const late = claimer('c');
    expect(await late.claim('error_rate:', 'firing', clock.t)).toBe(false);
    // Every holder gone (no heartbeat for three evaluations): a firing is a new episode, not silence.
    clock.t += 10 * B;
    expect(await late.claim('error_rate:', 'firing', clock.t)).toBe(true);
  });

  it('a firing sent while the store was down still gets its resolve once the store is back', async () => {
    const store = createMemoryStore();
    let down = true;
    const flaky = {
      ...store,
      get: (k: string) => (down ? Promise.reject(new Error('down')) : store.get(k)),
    };
    const mk = (replica: string) =>
      createClaimer({ store: flaky, prefix: 'x', replica, bucketMs: B, evaluateIntervalMs: B });
    const a = mk('a');
    const b = mk('b');
    expect(await a.claim('gpu_memory:', 'firing', T0)).toBe(true);
    expect(await b.claim('gpu_memory:', 'firing', T0)).toBe(true);
    down = false;
    const sent = [
      await a.claim('gpu_memory:', 'resolved', T0 + B),
      await b.claim('gpu_memory:', 'resolved', T0 + B),
    ];
    expect(sent.filter(Boolean)).toHaveLength(1);
  });

  it('fails open when the store does not answer', async () => {
    const { claimer } = setup();
    const broken = createClaimer({
      store: { ...createMemoryStore(), get: () => Promise.reject(new Error('down')) },
      prefix: 'x',
      replica: 'a',
      bucketMs: B,
      evaluateIntervalMs: B,
    });
    expect(await broken.claim('gpu_memory:', 'firing', T0)).toBe(true);
    expect(await claimer('z').claim('gpu_memory:', 'firing', T0)).toBe(true);
  });
});

describe('fingerprint parts', () => {
  it('are printable ASCII and stable, with colons and controls encoded', () => {
    for (const s of ['team search', 'a:b', 'ü\u0000\u202e', '\ud800', '100%']) {
      const p = fingerprintPart(s);
      expect(p).toMatch(/^[\x21-\x7e]*$/);
      expect(p).not.toContain(':');
      expect(fingerprintPart(s)).toBe(p);
    }
    expect(fingerprintPart('a:b c')).toBe('a%3Ab%20c');
    expect(fingerprintPart('2001:db8::1', true)).toBe('2001:db8::1');
  });
});

describe('signal states (warm-up is visible)', () => {
  it('baseline signals report warming_up until T, then evaluating; switched-off signals disabled', async () => {
    const clock = { t: T0 };
    const engine = createAlertEngine({
      config: alertsSchema.parse({
        baseline: { warmupMs: 60_000 },
        signals: { gpuMemory: { enabled: false } },
      }),
      store: createMemoryStore(() => clock.t),
      now: () => clock.t,
      autoTick: false,
      notify: () => {},
    });
    await engine.start();
    const state = () => Object.fromEntries(engine.signalStates().map((s) => [s.signal, s]));
    expect(state().latency_p99).toEqual({ signal: 'latency_p99', state: 'warming_up', until: T0 + 60_000 });
    expect(state().error_rate?.state).toBe('evaluating');
    expect(state().gpu_memory?.state).toBe('disabled');
    expect(engine.health().signals).toContainEqual({
      signal: 'latency_p99',
      state: 'warming_up',
      until: new Date(T0 + 60_000).toISOString(),
    });
    // Calm traffic for the warm-up: the baseline learns and the signal starts evaluating.
    for (let i = 0; i < 10; i++) {
      for (let r = 0; r < 30; r++)
        engine.observeRequest({ status: 200, latencyMs: 50, tokens: 10, blocked: false });
      clock.t += B;
      await engine.tick();
    }
    expect(state().latency_p99?.state).toBe('evaluating');
    expect(engine.gauges().signals.find((s) => s.signal === 'latency_p99')).toEqual({
      signal: 'latency_p99',
      state: 'evaluating',
      remainingMs: 0,
    });
    await engine.close();
  });
});
