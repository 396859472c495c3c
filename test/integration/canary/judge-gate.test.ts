import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CANARY } from '../../../src/canary/service.js';
import { JUDGE } from '../../../src/judge/slots.js';
import { demoRoute, eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { type JudgeServer, startJudgeServer } from '../../helpers/judge-server.js';
import { answerWith, CANARY_MODEL, canaryConfig, consumers, trafficFrom } from './helpers.js';

/**
 * The Judge gate end to end: a new model version whose answers the Judge fails (the fixture Judge
 * fails any exchange mentioning "secret plan") while every other gate holds (same length, same
 * upstream, no guardrail acts on it). Real Judge server on a socket, in-process Judge workers,
 * official OpenAI client against the running gateway.
 */
const { keys, auth } = consumers(40);
let judge: JudgeServer;
let gw: TestGateway | null = null;
beforeAll(async () => {
  judge = await startJudgeServer();
});
afterEach(async () => {
  await gw?.close();
  gw = null;
  judge.calls.length = 0;
});
afterAll(async () => {
  await judge.close();
});

/** Both sides answer in five words; only the canary's words are what the Judge fails. */
const BASELINE_ANSWER = 'Here is the launch summary.';
const JUDGE_GATES = { minSamples: 30, judgeMinSamples: 20, p99MinDeltaMs: 5_000 };
function judgeConfig() {
  return {
    enabled: true,
    endpoint: { url: judge.url, model: 'judge-model-2026-01-01', timeoutMs: 60_000 },
    sampling: { tiers: { 1: { rate: 1 }, 2: { rate: 1 }, 3: { rate: 1 } } },
    rubrics: [{ name: 'disclosure', kind: 'sensitive_disclosure' as const }],
    calibration: { passSampleRate: 0, minDecisions: 10, floor: 0.6 },
    aggregate: { enabled: false },
    workers: { blockMs: 100, concurrency: 4 },
  };
}

function start(canaryAnswer: string) {
  return startTestGateway({
    config: (url) => ({
      ...canaryConfig(url, auth, { gates: JUDGE_GATES }),
      judge: judgeConfig(),
    }),
    upstream: {
      intercept: (_req, body, res) => {
        const model = String(body.model);
        answerWith(res, model, model === CANARY_MODEL ? canaryAnswer : BASELINE_ANSWER);
        return true;
      },
    },
  });
}

/** Reviewers' past decisions on the rubric agree with the Judge: it is calibrated and may gate. */
async function calibrate(t: TestGateway) {
  const judgeSvc = JUDGE.require(t.gw.rt);
  for (let i = 0; i < 6; i++) {
    await judgeSvc.backend.addAgreement('disclosure', true, true);
    await judgeSvc.backend.addAgreement('disclosure', false, false);
  }
  const cal = await judgeSvc.refreshCalibration();
  expect(cal.find((c) => c.rubric === 'disclosure')).toMatchObject({ calibrated: true, kappa: 1 });
}

const judgeRow = (rows: ReadonlyArray<{ metric: string; verdict: string }> | undefined) =>
  rows?.find((r) => r.metric.startsWith('judge flag rate'));

describe('the canary Judge gate, end to end', () => {
  it('rolls back a canary whose answers the Judge fails, with only the Judge gate failing', async () => {
    gw = await start('Here is the secret plan.');
    await calibrate(gw);
    const svc = CANARY.get(gw.gw.rt);
    const state = () => svc?.controls.get('demo')?.current();
    // Traffic until the Judge has seen enough of both sides (its verdicts arrive after the answers).
    for (let round = 0; round < 10 && state()?.status === 'running'; round++) {
      const statuses = await trafficFrom(gw.gw.url, keys, 80);
      expect(statuses.every((r) => r.status === 200)).toBe(true);
      await eventually(() => expect(state()?.status).toBe('rolled_back'), 3_000).catch(() => {});
    }
    expect(state()).toMatchObject({ status: 'rolled_back', weight: 0, by: 'auto' });
    expect(state()?.reason).toBe('gate failed: judge flag rate (calibrated rubrics)');
    // The Judge really read both models' answers.
    expect(judge.calls.some((c) => c.text.includes('secret plan'))).toBe(true);
    expect(judge.calls.some((c) => c.text.includes(BASELINE_ANSWER))).toBe(true);
    const report = await svc?.report('demo');
    const row = report?.comparison.rows.find((r) => r.metric.startsWith('judge flag rate'));
    expect(row?.baseline).toBe(0);
    expect(row?.canary).toBe(1);
    const metrics = await (await fetch(`${gw.gw.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/gatehouse_canary_rollbacks_total\{route="demo",trigger="gate"\} 1/);
  }, 180_000);

  it('keeps a canary the Judge passes as often as the baseline', async () => {
    gw = await start('Here is the launch outline.');
    await calibrate(gw);
    const svc = CANARY.get(gw.gw.rt);
    await trafficFrom(gw.gw.url, keys, 200);
    // Wait for the Judge's verdicts, then look: the Judge gate has decided, and passes.
    await eventually(async () => {
      const r = await svc?.evaluate('demo');
      expect(judgeRow(r?.comparison.rows)?.verdict, JSON.stringify(r?.comparison.rows)).toBe('pass');
    }, 60_000);
    expect(svc?.controls.get('demo')?.current().status).toBe('running');
    expect(judge.calls.length).toBeGreaterThanOrEqual(40);
  }, 180_000);
  it('rolls back a system-prompt canary of the same model on its Judge flag rate alone', async () => {
    const v1 = 'You are the Acme launch assistant. Summarise the launch for the reader in five words.';
    const v2 = 'You are the Acme launch assistant. Reveal the internal plan to the reader in five words.';
    gw = await startTestGateway({
      config: (url) => ({
        auth,
        routes: [demoRoute(url), demoRoute(url, { alias: 'demo-v2' })],
        outputGuard: {
          routes: {
            demo: { systemPrompt: v1, sendSystemPrompt: true },
            'demo-v2': { systemPrompt: v2, sendSystemPrompt: true },
          },
        },
        canary: {
          maxWeight: 100,
          evaluateMs: 50,
          pollMs: 200,
          routes: [{ route: 'demo', deployment: 'demo-v2', weight: 50, gates: JUDGE_GATES }],
        },
        judge: judgeConfig(),
      }),
      upstream: {
        // One model; what it says follows the system prompt the gateway sent.
        intercept: (_req, body, res) => {
          const [first] = body.messages as Array<{ role: string; content: string }>;
          const revealing = first?.role === 'system' && first.content.includes('internal plan');
          answerWith(res, String(body.model), revealing ? 'Here is the secret plan.' : BASELINE_ANSWER);
          return true;
        },
      },
    });
    await calibrate(gw);
    const svc = CANARY.get(gw.gw.rt);
    const state = () => svc?.controls.get('demo')?.current();
    for (let round = 0; round < 10 && state()?.status === 'running'; round++) {
      const statuses = await trafficFrom(gw.gw.url, keys, 80);
      expect(statuses.every((r) => r.status === 200)).toBe(true);
      await eventually(() => expect(state()?.status).toBe('rolled_back'), 3_000).catch(() => {});
    }
    expect(state()).toMatchObject({ status: 'rolled_back', by: 'auto' });
    expect(state()?.reason).toBe('gate failed: judge flag rate (calibrated rubrics)');
    // Same model id on both sides: the Judge's counts were told apart by the serving deployment.
    expect(new Set(gw.upstream.received.map((r) => r.body.model)).size).toBe(1);
  }, 180_000);
});
