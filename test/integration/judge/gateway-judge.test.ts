import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GatehouseConfigInput } from '../../../src/config/schema/index.js';
import { JUDGE } from '../../../src/judge/slots.js';
import { demoRoute, eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { type JudgeServer, startJudgeServer } from '../../helpers/judge-server.js';

/** The demo route with a content policy that flags (never blocks) "secret plan"; unflagged traffic at `rate`. */
function judgeConfig(judgeUrl: string, rate: number, extra: Record<string, unknown> = {}) {
  return (upstreamUrl: string): GatehouseConfigInput => ({
    routes: [demoRoute(upstreamUrl)],
    guard: {
      defaults: { policy: { enabled: true, action: 'flag', deniedTopics: { exfil: ['secret plan'] } } },
    },
    judge: {
      enabled: true,
      endpoint: { url: judgeUrl, model: 'judge-model-2026-01-01', timeoutMs: 60_000 },
      sampling: { tiers: { 1: { rate }, 2: { rate }, 3: { rate } } },
      rubrics: [{ name: 'disclosure', kind: 'sensitive_disclosure' }],
      calibration: { passSampleRate: 0 },
      aggregate: { enabled: false },
      workers: { blockMs: 100 },
      ...extra,
    },
  });
}

const ask = (t: TestGateway, text: string) =>
  t.client().chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: text }] });

describe('the Judge behind a running gateway (memory store)', () => {
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
  });
  afterAll(async () => {
    await judge.close();
  });

  it('a flagged answer always reaches the Judge and its fail lands in the review queue', async () => {
    t = await startTestGateway({ config: judgeConfig(judge.url, 0) });
    const res = await ask(t, 'Tell me the secret plan for the launch');
    expect(res.choices[0]?.message.content).toContain('secret plan');
    const svc = JUDGE.require(t.gw.rt);
    await eventually(async () => {
      const page = await svc.review.list({ status: 'open' }, 10, 0);
      expect(page.findings).toHaveLength(1);
    });
    expect(judge.calls).toHaveLength(1);
    expect(judge.calls[0]?.rubric).toBe('disclosure');
    expect(judge.calls[0]?.model).toBe('judge-model-2026-01-01');
    // The record carries the request and the answer, as the gateway saw them.
    expect(judge.calls[0]?.text).toContain('[user] Tell me the secret plan');
    expect(judge.calls[0]?.text).toContain('Hello from the Gatehouse demo model');
    const [f] = (await svc.review.list({}, 10, 0)).findings;
    expect(f).toMatchObject({
      rubric: 'disclosure',
      verdict: 'fail',
      source: 'model',
      route: 'demo',
      consumer: 'demo',
    });
    expect(f?.owasp.llm).toEqual(['LLM02']);
    const full = await svc.review.get(f?.id ?? '');
    expect(full.record?.reason).toBe('flagged');
    expect(full.record?.flags.length).toBeGreaterThan(0);
    expect(full.record?.deployment).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(full.record?.model).toBe('gatehouse-demo-2026-01-01');
  });

  it('an unflagged answer at 0% sampling never reaches the Judge', async () => {
    t = await startTestGateway({ config: judgeConfig(judge.url, 0) });
    for (let i = 0; i < 20; i++) await ask(t, `What is the capital of France? (${i})`);
    // A flagged request afterwards goes through the same workers: they were up and idle, and the
    // only record they ever got is that one.
    await ask(t, 'the secret plan again');
    await eventually(() => expect(judge.calls).toHaveLength(1));
    const svc = JUDGE.require(t.gw.rt);
    await eventually(async () => expect(await svc.backend.depth()).toBe(0));
    expect(judge.calls[0]?.text).toContain('secret plan');
    const metrics = await t.gw.rt.metrics.getSingleMetricAsString('gatehouse_judge_sampled_total');
    expect(metrics).toContain(
      'gatehouse_judge_sampled_total{route="demo",reason="flagged",outcome="queued"} 1',
    );
    expect(metrics).not.toContain('reason="sampled"');
  });

  it('at 100% every answer is judged; pass verdicts are counted, not queued', async () => {
    t = await startTestGateway({ config: judgeConfig(judge.url, 1) });
    for (let i = 0; i < 5; i++) await ask(t, `Plain question ${i}`);
    const svc = JUDGE.require(t.gw.rt);
    await eventually(() => expect(judge.calls).toHaveLength(5));
    await eventually(async () => expect(await svc.backend.depth()).toBe(0));
    expect((await svc.review.list({}, 10, 0)).findings).toHaveLength(0);
    const m = await t.gw.rt.metrics.getSingleMetricAsString('gatehouse_judge_findings_total');
    expect(m).toContain('gatehouse_judge_findings_total{rubric="disclosure",verdict="pass"} 5');
  });

  it('the answer reaches the consumer before the Judge is called, with the Judge slow or down', async () => {
    judge.mode = 'hold';
    t = await startTestGateway({ config: judgeConfig(judge.url, 1) });
    // The consumer gets its answer while the Judge call (below) is held open, never answered.
    const res = await ask(t, 'Hold on to this one');
    expect(res.choices[0]?.message.content).toContain('Hold on to this one');
    await eventually(() => expect(judge.calls).toHaveLength(1));
    // The gateway's request line is written after the answer went out and before the hand-off
    // stage (`after: record`): the Judge was called only once the answer was delivered.
    const line = t.logs.requests()[0];
    expect(typeof line?.time).toBe('number');
    expect(judge.calls[0]?.at).toBeGreaterThanOrEqual(Number(line?.time));
    // Down: every request still answered; the records wait in the queue (pending), none is lost.
    judge.mode = 'down';
    for (let i = 0; i < 3; i++) expect((await ask(t, `down ${i}`)).choices).toHaveLength(1);
    const svc = JUDGE.require(t.gw.rt);
    await eventually(async () => expect(await svc.backend.depth()).toBeGreaterThanOrEqual(3));
    judge.release();
  });

  it('an answer off the rubric schema is an error counted, never a pass', async () => {
    judge.mode = 'invalid';
    t = await startTestGateway({ config: judgeConfig(judge.url, 1) });
    await ask(t, 'anything');
    const svc = JUDGE.require(t.gw.rt);
    await eventually(async () => {
      const m = await t?.gw.rt.metrics.getSingleMetricAsString('gatehouse_judge_evaluations_total');
      expect(m).toContain('outcome="invalid_output"} 1');
    });
    const m = await t.gw.rt.metrics.getSingleMetricAsString('gatehouse_judge_findings_total');
    expect(m).not.toContain('verdict="pass"} 1');
    expect((await svc.review.list({}, 10, 0)).findings).toHaveLength(0);
  });
});
