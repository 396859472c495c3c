/**
 * The feature list is the only place that decides what the gateway loads (issue 12): a feature
 * absent from the list contributes no stage, service or lint rule, and one appended to the list
 * (here passed to the builder, no other file edited) contributes all three.
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
  });

  it('a feature appended to the list is loaded: its service is built once, its stage runs, its lint rule runs', async () => {
    const probe = probeFeature();
    const res = await chat([...FEATURES, probe]);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-probe')).toBe('loaded');
    expect(probe.builds).toEqual(['demo']);
    expect(warnings(tg as TestGateway)).toContain('probe: its lint rule ran');
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
