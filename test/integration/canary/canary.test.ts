import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { canaryAdminRoutes } from '../../../src/canary/admin-routes.js';
import { CANARY } from '../../../src/canary/service.js';
import { eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { adminCall, CANARY_MODEL, canaryAnswers, canaryConfig, consumers } from './helpers.js';

/**
 * Canary deployments through the running gateway with the official OpenAI client: 40 consumers
 * split 50/50 (a test-sized weight, `maxWeight: 100`) between the demo route and a canary deployment
 * of a newer pinned model on an upstream whose canary answers the test shapes.
 */
const { keys, auth } = consumers(40);
let gw: TestGateway | null = null;
afterEach(async () => {
  await gw?.close();
  gw = null;
});

async function traffic(g: TestGateway, requests: number, text = 'hello there') {
  const clients = keys.map((k) => new OpenAI({ baseURL: `${g.gw.url}/v1`, apiKey: k, maxRetries: 0 }));
  const statuses: number[] = [];
  for (let i = 0; i < requests; i += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, requests - i) }, async (_, j) => {
        const c = clients[(i + j) % clients.length];
        if (c === undefined) return;
        const r = await c.chat.completions.create({
          model: 'demo',
          messages: [{ role: 'user', content: text }],
        });
        statuses.push(r.choices.length > 0 ? 200 : 500);
      }),
    );
  }
  return statuses;
}

const auditOf = (file: string): Array<Record<string, unknown>> =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l))
    : [];
const requestEvents = (file: string) =>
  auditOf(file).filter(
    (e) =>
      (e.gatehouse as { canary?: unknown } | undefined)?.canary !== undefined &&
      e.user !== undefined &&
      (e.event as { action?: string }).action !== 'canary.rollback',
  );
const sides = (file: string) =>
  requestEvents(file).map((e) => (e.gatehouse as { canary: { side: string; model: string } }).canary);
const newAuditFile = () => join(mkdtempSync(join(tmpdir(), 'gh-canary-')), 'audit.ndjson');

describe('canary deployments', () => {
  it('serves both sides, stamps the side on audit events and metrics, keeps a consumer on one side', async () => {
    const file = newAuditFile();
    gw = await startTestGateway({
      config: (url) => canaryConfig(url, auth, { gates: { minSamples: 1000 } }, {}, file),
    });
    await traffic(gw, 120);
    await eventually(() => expect(sides(file).length).toBe(120));
    const models = gw.upstream.received.map((r) => r.body.model);
    expect(models).toContain(CANARY_MODEL);
    expect(models).toContain('gatehouse-demo-2026-01-01');
    const stamped = sides(file);
    expect(new Set(stamped.map((s) => s?.side))).toEqual(new Set(['baseline', 'canary']));
    // Sticky: every request of one consumer went to one side.
    const byConsumer = new Map<string, Set<string>>();
    for (const l of requestEvents(file)) {
      const user = (l.user as { id?: string } | undefined)?.id ?? '';
      const side = (l.gatehouse as { canary?: { side: string } }).canary?.side ?? '';
      byConsumer.set(user, (byConsumer.get(user) ?? new Set()).add(side));
    }
    for (const s of byConsumer.values()) expect(s.size).toBe(1);
    const metrics = await (await fetch(`${gw.gw.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/gatehouse_canary_requests_total\{route="demo",side="canary"\} \d+/);
    expect(metrics).toMatch(/gatehouse_canary_requests_total\{route="demo",side="baseline"\} \d+/);
  });

  it('rolls back on its own a canary that leaks more PII (the output guard acts on it)', async () => {
    const file = newAuditFile();
    gw = await startTestGateway({
      config: (url) => canaryConfig(url, auth, {}, {}, file),
      upstream: { intercept: canaryAnswers('Sure, write to jane.doe@example.com or call +1 415 555 0100.') },
    });
    await traffic(gw, 200);
    const svc = CANARY.get(gw.gw.rt);
    await eventually(() => expect(svc?.controls.get('demo')?.current().status).toBe('rolled_back'));
    const s = svc?.controls.get('demo')?.current();
    expect(s?.weight).toBe(0);
    expect(s?.by).toBe('auto');
    expect(s?.reason).toMatch(/guard output:pii/);
    // Down until an operator acts: new traffic is all baseline, none fails.
    const before = gw.upstream.received.length;
    const statuses = await traffic(gw, 40);
    expect(statuses.every((x) => x === 200)).toBe(true);
    expect(gw.upstream.received.slice(before).every((r) => r.body.model !== CANARY_MODEL)).toBe(true);
    await eventually(() =>
      expect(
        auditOf(file).find((e) => (e.event as { action?: string }).action === 'canary.rollback'),
      ).toMatchObject({
        event: { kind: 'alert' },
        gatehouse: {
          route: { alias: 'demo' },
          canary: { side: 'canary', deployment: 'demo-next', weight: 0 },
        },
      }),
    );
    expect(gw.logs.lines.some((l) => l.alert === 'canary.rollback')).toBe(true);
  });

  it('rolls back a canary whose answers are longer (output-token distribution shift)', async () => {
    const long = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');
    gw = await startTestGateway({
      config: (url) => canaryConfig(url, auth),
      upstream: { intercept: canaryAnswers(long) },
    });
    await traffic(gw, 200);
    const svc = CANARY.get(gw.gw.rt);
    await eventually(() => expect(svc?.controls.get('demo')?.current().status).toBe('rolled_back'));
    expect(svc?.controls.get('demo')?.current().reason).toMatch(/output tokens/);
  });

  it('keeps a healthy canary; promotion is refused until the gates pass, then steps through the stages', async () => {
    const file = newAuditFile();
    gw = await startTestGateway({
      config: (url) =>
        // Both sides are the same demo model: a p99 gap here is the test machine's scheduler, not
        // the canary (the latency gate has its own tests), so only a gap of seconds would count.
        canaryConfig(
          url,
          auth,
          { weight: 10, stages: [60, 100], gates: { minSamples: 30, p99MinDeltaMs: 5_000 } },
          {},
          file,
        ),
    });
    const rt = gw.gw.rt;
    const svc = CANARY.get(rt);
    const state = () => svc?.controls.get('demo')?.current();
    // Too few samples: every gate is pending, promotion is refused.
    await expect(
      adminCall(canaryAdminRoutes, rt, 'POST', '/canaries/:route/promote', { route: 'demo' }),
    ).rejects.toMatchObject({ code: 'GH_ERR_CANARY_GATES_NOT_MET' });
    await expect(
      adminCall(canaryAdminRoutes, rt, 'POST', '/canaries/:route/weight', { route: 'demo' }, { weight: 150 }),
    ).rejects.toMatchObject({ code: 'GH_ERR_CANARY_WEIGHT' });
    await adminCall(
      canaryAdminRoutes,
      rt,
      'POST',
      '/canaries/:route/weight',
      { route: 'demo' },
      { weight: 50 },
    );
    await traffic(gw, 240);
    const report = await adminCall(canaryAdminRoutes, rt, 'GET', '/canaries/:route', { route: 'demo' });
    const body = report.body as {
      comparison: { verdict: string; rows: Array<{ metric: string; verdict: string }> };
    };
    expect(body.comparison.verdict, JSON.stringify(body.comparison.rows)).toBe('pass');
    expect(state()?.status).toBe('running');

    // Stage 1: 60%, same gates.
    const first = await adminCall(canaryAdminRoutes, rt, 'POST', '/canaries/:route/promote', {
      route: 'demo',
    });
    expect(first.change?.target).toBe('canary:demo');
    expect(state()).toMatchObject({ status: 'running', weight: 60, stage: 0, by: 'alice' });
    await traffic(gw, 80);
    // Stage 2: 100% — the canary's deployment becomes the pinned baseline, the old one the hot standby.
    await adminCall(canaryAdminRoutes, rt, 'POST', '/canaries/:route/promote', { route: 'demo' });
    expect(state()?.status).toBe('promoted');
    expect(state()?.standbyUntil).toBeGreaterThan(Date.now());
    const before = gw.upstream.received.length;
    await traffic(gw, 40);
    expect(gw.upstream.received.slice(before).every((r) => r.body.model === CANARY_MODEL)).toBe(true);
    await eventually(() =>
      expect(
        sides(file)
          .slice(-40)
          .every((s) => s.side === 'baseline' && s.model === CANARY_MODEL),
      ).toBe(true),
    );
    // A promoted canary cannot be promoted again; a rollback returns to the standby.
    await expect(
      adminCall(canaryAdminRoutes, rt, 'POST', '/canaries/:route/promote', { route: 'demo' }),
    ).rejects.toMatchObject({ code: 'GH_ERR_CANARY_NOT_RUNNING' });
    await adminCall(canaryAdminRoutes, rt, 'POST', '/canaries/:route/rollback', { route: 'demo' }, {}, [
      'operator',
    ]);
    const after = gw.upstream.received.length;
    await traffic(gw, 40);
    expect(gw.upstream.received.slice(after).every((r) => r.body.model !== CANARY_MODEL)).toBe(true);
  }, 180_000);

  it('declares promotion as an approver action kind for the two-person rule', () => {
    const promote = canaryAdminRoutes.find((r) => r.path === '/canaries/:route/promote');
    expect(promote).toMatchObject({ role: 'approver', action: 'canary.promote' });
    for (const r of canaryAdminRoutes) if (r.method !== 'GET') expect(r.action).toMatch(/^canary\./);
  });
});
