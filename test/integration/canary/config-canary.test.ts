import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CANARY } from '../../../src/canary/service.js';
import type { GatehouseConfigInput } from '../../../src/config/schema/index.js';
import { demoRoute, eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { answerWith, consumers, trafficFrom } from './helpers.js';

/**
 * Canaries of the gateway's own configuration: the canary deployment is a route to the same model
 * whose guard policy or system prompt differs. The split, the comparison and the rollback are the
 * model-version canary's; what changes per side is the policy the input guard applies and the
 * system prompt the gateway sends. Official OpenAI client, running gateway, 40 consumers 50/50.
 */
const { keys, auth } = consumers(40);
let gw: TestGateway | null = null;
afterEach(async () => {
  await gw?.close();
  gw = null;
});

/** `demo` (baseline) and `alt` (the canary deployment: same upstream, same pinned model). */
function configCanary(url: string, extra: Partial<GatehouseConfigInput>, auditFile?: string) {
  return {
    auth,
    ...(auditFile !== undefined && { telemetry: { audit: { sinks: [{ kind: 'file', path: auditFile }] } } }),
    routes: [demoRoute(url), demoRoute(url, { alias: 'alt' })],
    canary: {
      maxWeight: 100,
      evaluateMs: 50,
      pollMs: 200,
      routes: [
        {
          route: 'demo',
          deployment: 'alt',
          weight: 50,
          // Same model on both sides: a p99 gap is this machine's scheduler, not the canary.
          gates: { minSamples: 30, p99MinDeltaMs: 5_000 },
        },
      ],
    },
    ...extra,
  } as GatehouseConfigInput;
}

const auditOf = (file: string): Array<Record<string, unknown>> =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l))
    : [];
interface RequestEvent {
  side: string;
  deployment: string;
  status: number;
  consumer: string;
}
const requestEvents = (file: string): RequestEvent[] =>
  auditOf(file).flatMap((e) => {
    const g = e.gatehouse as { canary?: { side: string; deployment: string } } | undefined;
    const action = (e.event as { action?: string }).action;
    if (g?.canary === undefined || e.user === undefined || action?.startsWith('canary.')) return [];
    const status = (e.http as { response?: { status_code?: number } } | undefined)?.response?.status_code;
    return [
      {
        side: g.canary.side,
        deployment: g.canary.deployment,
        status: status ?? 0,
        consumer: (e.user as { id?: string }).id ?? '',
      },
    ];
  });
const newAuditFile = () => join(mkdtempSync(join(tmpdir(), 'gh-canary-cfg-')), 'audit.ndjson');

describe('canaries of the guard policy and the system prompt', () => {
  it('a guard policy that blocks more is applied on the canary side only, and rolled back on its own', async () => {
    const file = newAuditFile();
    gw = await startTestGateway({
      config: (url) =>
        configCanary(
          url,
          {
            guard: {
              routes: {
                alt: { policy: { enabled: true, action: 'block', deniedTopics: { weather: ['weather'] } } },
              },
            },
          },
          file,
        ),
    });
    const svc = CANARY.get(gw.gw.rt);
    const state = () => svc?.controls.get('demo')?.current();
    const first = await trafficFrom(gw.gw.url, keys, 200, 'What will the weather be like tomorrow?');
    await eventually(() => expect(state()?.status).toBe('rolled_back'));
    expect(state()).toMatchObject({ weight: 0, by: 'auto' });
    expect(state()?.reason).toMatch(/guard input:policy/);
    // The canary's policy refused, the baseline's served: both sides were really exercised.
    expect(first.some((r) => r.status === 400)).toBe(true);
    expect(first.some((r) => r.status === 200)).toBe(true);
    await eventually(() => expect(requestEvents(file).length).toBe(200));
    const events = requestEvents(file);
    // The canary side refused every request with its policy; the baseline side served every one
    // (before the rollback and after it, when the canary's consumers came back to the baseline).
    for (const e of events.filter((x) => x.side === 'canary'))
      expect(e).toMatchObject({ deployment: 'alt', status: 400 });
    for (const e of events.filter((x) => x.side === 'baseline'))
      expect(e).toMatchObject({ deployment: 'demo', status: 200 });
    // Rolled back: everyone is on the baseline's policy, nothing is refused.
    const after = await trafficFrom(gw.gw.url, keys, 40, 'What will the weather be like tomorrow?');
    expect(after.every((r) => r.status === 200)).toBe(true);
  }, 180_000);

  it('keeps a guard-policy canary that changes nothing the traffic touches', async () => {
    gw = await startTestGateway({
      config: (url) =>
        configCanary(url, {
          guard: {
            routes: {
              alt: { policy: { enabled: true, action: 'block', deniedTopics: { weather: ['weather'] } } },
            },
          },
        }),
    });
    const statuses = await trafficFrom(gw.gw.url, keys, 200, 'Tell me a short story about a fox.');
    expect(statuses.every((r) => r.status === 200)).toBe(true);
    const svc = CANARY.get(gw.gw.rt);
    const r = await svc?.evaluate('demo');
    expect(r?.comparison.verdict, JSON.stringify(r?.comparison.rows)).toBe('pass');
    expect(svc?.controls.get('demo')?.current().status).toBe('running');
  }, 180_000);

  it('sends the canary its own system prompt; one that makes answers longer is rolled back', async () => {
    const v1 = 'You are the Acme support assistant. Answer every question in one short sentence.';
    const v2 = 'You are the Acme support assistant. Answer every question in great detail, with examples.';
    const long = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');
    gw = await startTestGateway({
      config: (url) =>
        configCanary(url, {
          outputGuard: {
            routes: {
              demo: { systemPrompt: v1, sendSystemPrompt: true },
              alt: { systemPrompt: v2, sendSystemPrompt: true },
            },
          },
        }),
      upstream: {
        // The model follows its system prompt: the first system message decides the length.
        intercept: (_req, body, res) => {
          const sys = (body.messages as Array<{ role: string; content: string }>).find(
            (m) => m.role === 'system',
          );
          answerWith(res, String(body.model), sys?.content.includes('great detail') ? long : 'Done, thanks.');
          return true;
        },
      },
    });
    await trafficFrom(gw.gw.url, keys, 200);
    const svc = CANARY.get(gw.gw.rt);
    await eventually(() => expect(svc?.controls.get('demo')?.current().status).toBe('rolled_back'));
    expect(svc?.controls.get('demo')?.current().reason).toMatch(/output tokens/);
    const prompts = gw.upstream.received.map((r) => {
      const [m] = r.body.messages as Array<{ role: string; content: string }>;
      return m?.role === 'system' ? m.content : '';
    });
    // Each request carried one of the two prompts first (with the output guard's marker added to it).
    expect(prompts.every((p) => p.startsWith(v1) || p.startsWith(v2))).toBe(true);
    expect(prompts.some((p) => p.startsWith(v1))).toBe(true);
    expect(prompts.some((p) => p.startsWith(v2))).toBe(true);
    // After the rollback every request is sent the baseline's prompt.
    const before = gw.upstream.received.length;
    await trafficFrom(gw.gw.url, keys, 40);
    for (const r of gw.upstream.received.slice(before))
      expect((r.body.messages as Array<{ content: string }>)[0]?.content.startsWith(v1)).toBe(true);
  }, 180_000);
});
