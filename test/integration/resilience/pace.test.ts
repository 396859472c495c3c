import { readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { degradationKey } from '../../../src/pipeline/pace.js';
import { RESILIENCE } from '../../../src/resilience/slots.js';
import { demoRoute, eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { tmp } from '../telemetry/helpers.js';
import { admin, chat, freshPrefix, REDIS_URL } from './helpers.js';
import { UpstreamProcess } from './upstream-process.js';

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON, read field by field in assertions
type Json = Record<string, any>;
/**
 * Every PACE transition, entered and exited, from real faults on two replicas sharing real Redis:
 * the external classifier failing (Alternate), the upstream process SIGKILLed (Contingency, shared
 * through the breaker), the Judge signalling degradation (Contingency), an operator override; the
 * state on the audit events and as a metric.
 */
let classifierFails = false;
let classifier: Server;
let upstream: UpstreamProcess;
let a: TestGateway;
let b: TestGateway;
const dir = tmp('gh-pace-');
const auditFile = join(dir, 'audit.ndjson');
const prefix = freshPrefix();
const TOOLS = [
  { type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: {} } } },
];

beforeAll(async () => {
  classifier = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (classifierFails) res.writeHead(500).end('{}');
      else
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ results: [{ flagged: false, category_scores: { violence: 0.01 } }] }));
    });
  });
  await new Promise<void>((r) => classifier.listen(0, '127.0.0.1', r));
  const classifierUrl = `http://127.0.0.1:${(classifier.address() as AddressInfo).port}/moderations`;
  upstream = await UpstreamProcess.start();
  const config = (withSink: boolean) => () => ({
    store: { kind: 'redis' as const, url: REDIS_URL, prefix },
    routes: [demoRoute(upstream.url)],
    guard: {
      injection: {
        http: { kind: 'openai-moderation' as const, url: classifierUrl, onError: 'allow' as const },
      },
    },
    ...(withSink
      ? {
          telemetry: {
            audit: { sinks: [{ kind: 'file' as const, path: auditFile }] },
            spool: { dir: join(dir, 'spool') },
          },
        }
      : {}),
    resilience: {
      killSwitch: { pollMs: 100 },
      retry: { attempts: 1 },
      breaker: { consecutiveFailures: 2, openMs: 500 },
      signals: {
        guard_degraded: { windowMs: 1_000, enterRatio: 0.5, minFailures: 2, exitRatio: 0.1, minDwellMs: 200 },
        judge_degraded: { windowMs: 1_000, enterRatio: 0.5, minFailures: 1, exitRatio: 0.1, minDwellMs: 200 },
      },
      routes: {
        demo: {
          alternate: {
            mode: 'static' as const,
            staticAnswer: 'Reduced mode: please retry later.',
            highRisk: { minTier: 3 as const, toolsOffered: true },
          },
        },
      },
    },
  });
  a = await startTestGateway({ config: config(true) });
  b = await startTestGateway({ config: config(false) });
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await upstream?.kill();
  await new Promise<void>((r) => classifier.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

const auditEvents = (): Array<Json> =>
  readFileSync(auditFile, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Json);
const stateOf = (g: TestGateway) => RESILIENCE.require(g.gw.rt).pace.stateOf('demo');

describe('PACE transitions from real faults', () => {
  it('Alternate: the classifier fails → high-risk get the static answer, low-risk continue marked for review; exits when it recovers', async () => {
    expect((await chat(a.gw.url, a.authHeaders)).status).toBe(200);
    expect(stateOf(a)).toBe('primary');
    classifierFails = true;
    for (let i = 0; i < 2; i++) expect((await chat(a.gw.url, a.authHeaders)).status).toBe(200);
    expect(stateOf(a)).toBe('alternate');

    const high = await chat(a.gw.url, a.authHeaders, 'look this up', { tools: TOOLS });
    expect(high.status).toBe(200);
    expect((high.body.choices as Array<{ message: { content: string } }>)[0]?.message.content).toBe(
      'Reduced mode: please retry later.',
    );
    const low = await chat(a.gw.url, a.authHeaders, 'plain question');
    expect(low.status).toBe(200);
    expect(JSON.stringify(low.body)).toContain('Hello from the Gatehouse demo model');

    await eventually(() => {
      const reqs = auditEvents().filter((e) => e.event?.action === 'gen_ai.request');
      const last = reqs.at(-1);
      expect(last?.gatehouse.pace).toMatchObject({ state: 'alternate', review: true });
      expect(last?.gatehouse.flags).toContain('pace:alternate');
      const modes = auditEvents().filter((e) => e.gatehouse?.mode?.to === 'demo:alternate');
      expect(modes.length).toBeGreaterThan(0);
    });
    const metrics = await (await fetch(`${a.gw.metricsUrl}/metrics`)).text();
    expect(metrics).toContain('gatehouse_pace_state{route="demo",state="alternate"} 1');

    classifierFails = false;
    await eventually(async () => {
      await chat(a.gw.url, a.authHeaders);
      expect(stateOf(a)).toBe('primary');
    });
  });

  it('Contingency: the upstream process is SIGKILLed → the breaker opens and both replicas refuse with a coded 503; recovery closes it', async () => {
    await upstream.kill();
    for (let i = 0; i < 2; i++) expect((await chat(a.gw.url, a.authHeaders)).status).toBe(502);
    expect(stateOf(a)).toBe('contingency');
    // Replica B never called the dead upstream: it learned the open breaker through the store.
    await eventually(() => expect(stateOf(b)).toBe('contingency'));
    const r = await chat(b.gw.url, b.authHeaders);
    expect(r.status).toBe(503);
    expect(r.code).toBe('GH_ERR_UPSTREAM_CIRCUIT_OPEN');
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    await upstream.up();
    await eventually(async () => expect((await chat(b.gw.url, b.authHeaders)).status).toBe(200));
    await eventually(() => expect(stateOf(a)).toBe('primary'));
    await eventually(() => expect(stateOf(b)).toBe('primary'));
  });

  it('Contingency: the Judge signals degradation → requests continue on the primary marked for review; exits when it clears', async () => {
    const signals = degradationKey.require(a.gw.rt);
    signals.set('judge_degraded', null, true, 'judge endpoint down');
    expect(stateOf(a)).toBe('contingency');
    const r = await chat(a.gw.url, a.authHeaders);
    expect(r.status).toBe(200);
    await eventually(() => {
      const last = auditEvents()
        .filter((e) => e.event?.action === 'gen_ai.request')
        .at(-1);
      expect(last?.gatehouse.pace).toMatchObject({ state: 'contingency', review: true });
    });
    signals.set('judge_degraded', null, false);
    await eventually(() => expect(stateOf(a)).toBe('primary'));
  });

  it('an operator override holds on every replica until cleared', async () => {
    await admin(a.gw.rt, 'PUT', '/pace/override', { route: 'demo', state: 'alternate' }, 'drill');
    await eventually(() => expect(stateOf(b)).toBe('alternate'));
    const high = await chat(b.gw.url, b.authHeaders, 'x', { tools: TOOLS });
    expect(JSON.stringify(high.body)).toContain('Reduced mode');
    await expect(
      admin(a.gw.rt, 'PUT', '/pace/override', { route: 'demo', state: 'emergency' }, 'no'),
    ).rejects.toMatchObject({ code: 'GH_ERR_RESILIENCE_REQUEST' });
    await admin(b.gw.rt, 'PUT', '/pace/override', { route: 'demo', state: null }, 'drill over');
    await eventually(() => expect(stateOf(a)).toBe('primary'));
    await eventually(() => expect(stateOf(b)).toBe('primary'));
  });
});
