/**
 * The feature list is the only place that decides what the gateway loads (issue 12): a feature
 * absent from the list contributes no stage, service or lint rule, and one appended to the list
 * (here passed to the builder, no other file edited) contributes all of them: stages, service, lint
 * rules, its own endpoints (answered after the edge stages, so only for an authenticated caller)
 * and its health-listener GETs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FEATURES } from '../../../src/boot/features.js';
import { lintWarning } from '../../../src/config/lint-finding.js';
import { limitsFeature } from '../../../src/edge/limits/feature.js';
import type { Feature } from '../../../src/pipeline/feature.js';
import { demoRoute, startTestGateway, type TestGateway } from '../../helpers/gateway.js';

function probeFeature(): Feature & { readonly builds: string[] } {
  const builds: string[] = [];
  return {
    name: 'probe',
    builds,
    lint: [() => [lintWarning('probe: its lint rule ran')]],
    service: (rt) => {
      builds.push(rt.config.routes.map((r) => r.alias).join(','));
    },
    handlers: [
      {
        method: 'GET',
        path: '/v1/probe/',
        param: true,
        endpoint: 'models',
        create: () => (ctx, param) => ({ param, consumer: ctx.identity?.consumer ?? null }),
      },
    ],
    healthRoutes: [{ path: '/probe/health', create: () => () => ({ probe: 'up' }) }],
    stages: [
      {
        name: 'probe.mark',
        phase: 'correlate',
        scope: 'edge',
        create: () => (ctx) => {
          ctx.responseHeaders['x-probe'] = 'loaded';
        },
      },
    ],
  };
}

let tg: TestGateway | null = null;
afterEach(async () => {
  await tg?.close();
  tg = null;
});

async function chat(features: readonly Feature[]) {
  tg = await startTestGateway({
    config: (url) => ({
      routes: [demoRoute(url)],
      limits: { routes: { demo: { requests: { perMinute: 100 } } } },
    }),
    start: { features },
  });
  const res = await fetch(`${tg.gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...tg.authHeaders },
    body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hello' }] }),
  });
  await res.arrayBuffer();
  return res;
}

const warnings = (t: TestGateway) =>
  t.logs.lines.filter((l) => l.event === 'config_warning').map((l) => l.msg);

describe('boot: the feature list', () => {
  it('a feature not in the list is not loaded: no stage, no service, no lint rule', async () => {
    const probe = probeFeature();
    const res = await chat(FEATURES);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-probe')).toBeNull();
    expect(probe.builds).toEqual([]);
    expect(warnings(tg as TestGateway)).not.toContain('probe: its lint rule ran');
    const probe404 = await fetch(`${(tg as TestGateway).gw.url}/v1/probe/x`, {
      headers: (tg as TestGateway).authHeaders,
    });
    expect(probe404.status).toBe(404);
    expect(((await probe404.json()) as { error: { code: string } }).error.code).toBe('GH_ERR_NOT_FOUND');
    const health = await fetch(`${(tg as TestGateway).gw.healthUrl}/probe/health`);
    expect(health.status).toBe(404);
    await health.arrayBuffer();
  });

  it('a feature appended to the list is loaded: its service is built once, its stage runs, its lint rule runs', async () => {
    const probe = probeFeature();
    const res = await chat([...FEATURES, probe]);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-probe')).toBe('loaded');
    expect(probe.builds).toEqual(['demo']);
    expect(warnings(tg as TestGateway)).toContain('probe: its lint rule ran');
    const t = tg as TestGateway;
    const answer = await fetch(`${t.gw.url}/v1/probe/a%20b`, { headers: t.authHeaders });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ param: 'a b', consumer: expect.any(String) });
    // Its health-listener GET is mounted beside the built-in probes.
    const health = await fetch(`${t.gw.healthUrl}/probe/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ probe: 'up' });
    // The edge stages ran first: without a key, authentication refuses before the handler.
    const anonymous = await fetch(`${t.gw.url}/v1/probe/a`);
    expect(anonymous.status).toBe(401);
  });

  it('a real feature left out of the list is gone: without limits, no rate-limit headers', async () => {
    const withLimits = await chat(FEATURES);
    expect(withLimits.headers.get('x-ratelimit-limit-requests')).toBe('100');
    await tg?.close();
    const without = await chat(FEATURES.filter((f) => f !== limitsFeature));
    expect(without.status).toBe(200);
    expect(without.headers.get('x-ratelimit-limit-requests')).toBeNull();
  });
});
