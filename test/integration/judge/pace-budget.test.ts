import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FEATURES } from '../../../src/boot/features.js';
import type { GatehouseConfigInput } from '../../../src/config/schema/index.js';
import { JUDGE } from '../../../src/judge/slots.js';
import type { Feature } from '../../../src/pipeline/feature.js';
import {
  type DegradationSignal,
  degradationKey,
  type PaceState,
  paceViewKey,
} from '../../../src/pipeline/pace.js';
import { demoRoute, eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { type JudgeServer, startJudgeServer } from '../../helpers/judge-server.js';

/** Stands in for the resilience feature (issue 16): a PACE state the test sets, and the signals raised. */
let state: PaceState = 'primary';
const raised: Array<{ signal: DegradationSignal; route: string | null; active: boolean; detail?: string }> =
  [];
const paceProbe: Feature = {
  name: 'pace-probe',
  stages: [],
  service(rt) {
    paceViewKey.set(rt, { stateOf: () => state });
    degradationKey.set(rt, {
      set: (signal, route, active, detail) =>
        raised.push({ signal, route, active, ...(detail !== undefined && { detail }) }),
    });
  },
};

function config(judgeUrl: string, judge: Record<string, unknown>) {
  return (upstreamUrl: string): GatehouseConfigInput => ({
    routes: [demoRoute(upstreamUrl)],
    guard: {
      defaults: { policy: { enabled: true, action: 'flag', deniedTopics: { exfil: ['secret plan'] } } },
    },
    judge: {
      enabled: true,
      endpoint: { url: judgeUrl, model: 'judge-model-2026-01-01' },
      sampling: { tiers: { 1: { rate: 0 }, 2: { rate: 0 }, 3: { rate: 0 } } },
      rubrics: [{ name: 'disclosure', kind: 'sensitive_disclosure' }],
      calibration: { passSampleRate: 0 },
      aggregate: { enabled: false },
      workers: { blockMs: 100 },
      ...judge,
    },
  });
}

describe('the Judge with PACE and its budget', () => {
  let judge: JudgeServer;
  let t: TestGateway | null = null;
  beforeAll(async () => {
    judge = await startJudgeServer();
  });
  afterEach(async () => {
    await t?.close();
    t = null;
    judge.calls.length = 0;
    judge.mode = 'answer';
    state = 'primary';
    raised.length = 0;
  });
  afterAll(async () => {
    await judge.close();
  });

  const ask = (text: string) =>
    t?.client().chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: text }] });

  it('PACE Alternate forces every answer to the Judge, at 0 % sampling', async () => {
    t = await startTestGateway({
      config: config(judge.url, {}),
      start: { features: [...FEATURES, paceProbe] },
    });
    await ask('plain question one');
    // The hand-off runs right after the request line (same completion pass): once the line is
    // there, the first request was sampled (or not) in Primary.
    await eventually(() => expect(t?.logs.requests()).toHaveLength(1));
    state = 'alternate';
    await ask('plain question two');
    await eventually(() => expect(judge.calls).toHaveLength(1));
    expect(judge.calls[0]?.text).toContain('plain question two');
    const m = await t.gw.rt.metrics.getSingleMetricAsString('gatehouse_judge_sampled_total');
    expect(m).toContain('reason="alternate",outcome="queued"} 1');
  });

  it('an open breaker raises judge_degraded to PACE; requests are still answered; recovery clears it', async () => {
    judge.mode = 'down';
    t = await startTestGateway({
      config: config(judge.url, { breaker: { failureThreshold: 1, openMs: 300 } }),
      start: { features: [...FEATURES, paceProbe] },
    });
    const svc = JUDGE.require(t.gw.rt);
    expect((await ask('the secret plan'))?.choices).toHaveLength(1);
    await eventually(() => expect(judge.calls.length).toBeGreaterThanOrEqual(1));
    await eventually(async () => expect((await svc.checkHealth()).reason).toBe('breaker_open'));
    expect(raised).toContainEqual({
      signal: 'judge_degraded',
      route: null,
      active: true,
      detail: 'breaker_open',
    });
    expect((await ask('still served while the Judge is degraded'))?.choices).toHaveLength(1);
    // The Judge comes back: the breaker's half-open trial call (on the next record) succeeds, the
    // breaker closes and the signal clears. The records that failed stay pending for claimIdleMs.
    judge.mode = 'answer';
    await ask('the secret plan again');
    await eventually(async () => expect((await svc.checkHealth()).degraded).toBe(false), 10_000);
    expect(raised.at(-1)).toMatchObject({ signal: 'judge_degraded', active: false });
  });

  it('the hourly budget caps random samples apart from risky records', async () => {
    t = await startTestGateway({
      config: config(judge.url, {
        endpoint: { url: judge.url, model: 'judge-model-2026-01-01', inputPer1kUsd: 1, outputPer1kUsd: 1 },
        sampling: { tiers: { 1: { rate: 1 }, 2: { rate: 1 }, 3: { rate: 1 } } },
        budget: { sampledUsdPerHour: 0.0001, riskUsdPerHour: 100 },
      }),
    });
    await ask('an ordinary question');
    await ask('the secret plan');
    await eventually(() => expect(judge.calls).toHaveLength(1));
    expect(judge.calls[0]?.text).toContain('secret plan');
    const m = await t.gw.rt.metrics.getSingleMetricAsString('gatehouse_judge_sampled_total');
    expect(m).toContain('reason="sampled",outcome="over_budget"} 1');
    expect(m).toContain('reason="flagged",outcome="queued"} 1');
  });
});
