import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeAdminRoutes } from '../../../src/judge/admin-routes.js';
import { JUDGE } from '../../../src/judge/slots.js';
import type { AdminRequest, AdminResult } from '../../../src/pipeline/admin.js';
import { judgeViewKey } from '../../../src/pipeline/judge.js';
import { demoRoute, eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { type JudgeServer, startJudgeServer } from '../../helpers/judge-server.js';

/**
 * The review workflow through the feature's admin routes. The admin listener (issue 15) mounts
 * these, authenticates operators, checks roles and audits; until it is merged the handlers are
 * called here as it will call them, with the operator it would have authenticated.
 */
describe('review queue through the admin routes', () => {
  let judge: JudgeServer;
  let t: TestGateway;
  let auditPath: string;
  beforeAll(async () => {
    judge = await startJudgeServer();
    auditPath = join(mkdtempSync(join(tmpdir(), 'gh-judge-audit-')), 'audit.ndjson');
    t = await startTestGateway({
      config: (upstreamUrl) => ({
        routes: [demoRoute(upstreamUrl)],
        guard: {
          defaults: { policy: { enabled: true, action: 'flag', deniedTopics: { exfil: ['secret plan'] } } },
        },
        telemetry: { audit: { sinks: [{ kind: 'file', path: auditPath }] } },
        judge: {
          enabled: true,
          endpoint: { url: judge.url, model: 'judge-model-2026-01-01' },
          sampling: { tiers: { 1: { rate: 0 }, 2: { rate: 0 }, 3: { rate: 0 } } },
          rubrics: [{ name: 'disclosure', kind: 'sensitive_disclosure' }],
          calibration: { passSampleRate: 0, minDecisions: 3, floor: 0.6 },
          aggregate: { enabled: false },
          workers: { blockMs: 100 },
        },
      }),
    });
  });
  afterAll(async () => {
    await t.close();
    await judge.close();
  });

  const call = async (
    method: string,
    path: string,
    over: Partial<AdminRequest> = {},
  ): Promise<AdminResult> => {
    const def = judgeAdminRoutes.find((r) => r.method === method && r.path === path);
    if (def === undefined) throw new Error(`no route ${method} ${path}`);
    return def.create(t.gw.rt)({
      params: {},
      query: new URLSearchParams(),
      body: undefined,
      operator: { id: 'alice', roles: ['operator'], via: 'oidc' },
      reason: 'review',
      requestId: 'req-1',
      ...over,
    });
  };

  it('every route declares a role; mutations declare an action kind and a body schema', () => {
    for (const r of judgeAdminRoutes) {
      expect(r.role).toBeDefined();
      if (r.method !== 'GET') {
        expect(r.action).toMatch(/^judge\./);
        expect(r.body).toBeDefined();
      }
    }
  });

  it('findings land, are listed, claimed, decided, annotated; decisions calibrate the rubric', async () => {
    for (const text of [
      'secret plan one',
      'secret plan two',
      'secret plan three',
      'ask a human about the secret plan',
    ])
      await t
        .client()
        .chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: text }] });
    await eventually(async () => {
      const r = await call('GET', '/judge/findings');
      expect((r.body as { findings: unknown[] }).findings).toHaveLength(4);
    });
    const list = (await call('GET', '/judge/findings', { query: new URLSearchParams({ verdict: 'fail' }) }))
      .body as {
      findings: Array<{ id: string; verdict: string }>;
    };
    expect(list.findings).toHaveLength(4);
    await expect(
      call('GET', '/judge/findings', { query: new URLSearchParams({ status: 'bogus' }) }),
    ).rejects.toMatchObject({
      code: 'GH_ERR_JUDGE_BAD_REVIEW',
      status: 400,
    });

    const ids = list.findings.map((f) => f.id);
    const one = (await call('GET', '/judge/findings/:id', { params: { id: ids[0] ?? '' } })).body as {
      record: { request: Array<{ role: string; content: string }> };
    };
    expect(one.record.request.find((m) => m.role === 'user')?.content).toContain('secret plan');

    // The Judge says fail on all four; reviewers confirm three and dismiss one.
    const decisions = ['confirm', 'confirm', 'confirm', 'dismiss'] as const;
    for (const [i, id] of ids.entries()) {
      const claim = await call('POST', '/judge/findings/:id/claim', { params: { id } });
      expect(claim.change).toMatchObject({
        target: `finding:${id}`,
        after: { status: 'claimed', by: 'alice' },
      });
      await expect(
        call('POST', '/judge/findings/:id/decision', {
          params: { id },
          operator: { id: 'bob', roles: ['operator'], via: 'oidc' },
          body: { decision: 'confirm' },
        }),
      ).rejects.toMatchObject({ code: 'GH_ERR_JUDGE_NOT_CLAIMED', status: 409 });
      await expect(
        call('POST', '/judge/findings/:id/decision', { params: { id }, body: { decision: 'maybe' } }),
      ).rejects.toMatchObject({ code: 'GH_ERR_JUDGE_BAD_REVIEW' });
      const d = await call('POST', '/judge/findings/:id/decision', {
        params: { id },
        body: { decision: decisions[i] },
      });
      expect(d.change).toMatchObject({
        after: { status: 'decided', decision: decisions[i], rubric: 'disclosure' },
      });
    }
    const note = await call('POST', '/judge/findings/:id/notes', {
      params: { id: ids[0] ?? '' },
      body: { text: 'seen before' },
    });
    expect(note.status).toBe(201);

    // 3 of 4 agree, but the Judge never said pass: kappa is 0 (chance-level), so uncalibrated.
    const cal = (await call('GET', '/judge/calibration')).body as {
      rubrics: Array<{ rubric: string; kappa: number; decisions: number; calibrated: boolean }>;
    };
    expect(cal.rubrics).toEqual([
      { rubric: 'disclosure', decisions: 4, kappa: 0, agreement: 0.75, calibrated: false },
    ]);
    const view = judgeViewKey.require(t.gw.rt);
    expect(view.isCalibrated('disclosure')).toBe(false);
    const m = await t.gw.rt.metrics.getSingleMetricAsString('gatehouse_judge_agreement');
    expect(m).toContain('gatehouse_judge_agreement{rubric="disclosure"} 0');
    const reviews = await t.gw.rt.metrics.getSingleMetricAsString('gatehouse_judge_reviews_total');
    expect(reviews).toContain('gatehouse_judge_reviews_total{rubric="disclosure",decision="confirm"} 3');
  });

  it('findings are audit events with their OWASP mapping, without the exchange text', async () => {
    await eventually(() => {
      const lines = readFileSync(auditPath, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const findings = lines.filter((l) => l.event.action === 'judge.finding');
      expect(findings.length).toBeGreaterThanOrEqual(4);
      const f = findings[0];
      expect(f.threat.technique.id).toEqual(['LLM02']);
      expect(f.gatehouse.owasp).toEqual({ controls: ['control:judge'], llm: ['LLM02'], asi: [] });
      expect(f.gatehouse.finding).toMatchObject({ rubric: 'disclosure', verdict: 'fail', source: 'model' });
      expect(f.user.id).toBe('demo');
      expect(JSON.stringify(findings)).not.toContain('secret plan');
    });
  });

  it('health reads the breaker and the queue', async () => {
    const h = (await call('GET', '/judge/health')).body;
    expect(h).toMatchObject({ degraded: false, breaker: 'closed', depth: 0 });
    expect(JUDGE.require(t.gw.rt).health().degraded).toBe(false);
  });
});
