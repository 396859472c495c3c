import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { STAGES } from '../../../src/boot/stages.js';
import { DEMO_MODEL_ID } from '../../../src/demo/upstream.js';
import { GatehouseError } from '../../../src/errors/gatehouse-error.js';
import type { Identity } from '../../../src/identity.js';
import type { StageDef } from '../../../src/pipeline/registry.js';
import type { AuditEvent } from '../../../src/telemetry/audit/schema.js';
import { TELEMETRY } from '../../../src/telemetry/slots.js';
import { demoRoute, eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { hecEnvelopes, type Receiver, startReceiver, tmp } from './helpers.js';

/** Secrets this test run handles; none may appear in anything Gatehouse emits. */
const CONSUMER_KEY = 'ghk_live_Q9w8E7r6T5y4U3i2O1p0AsDfGhJkLzXc';
const WRONG_KEY = 'ghk_live_WrongWrongWrongWrong0123456789ab';
const UPSTREAM_KEY = 'sk-upstream-5d41402abc4b2a76b9719d911017c592';
const HEC_TOKEN = '8f14e45f-ceea-467f-a9f0-5d41402abc4b';
const PROMPT_SECRET = 'AKIAIOSFODNN7EXAMPLE';

/**
 * A stand-in for the auth feature with its contract: a known bearer key sets the identity, any
 * other raises an `auth.failure` on ctx.securityEvents and fails with GH_ERR_AUTH_INVALID.
 */
const keyStage: StageDef = {
  name: 'test.key-auth',
  phase: 'authenticate',
  scope: 'edge',
  create: () => (ctx) => {
    const auth = ctx.req.headers.authorization;
    if (auth === `Bearer ${CONSUMER_KEY}`) {
      const identity: Identity = {
        consumer: 'team-search',
        agent: 'indexer-bot',
        session: 'sess-42',
        tier: 1,
        method: 'api_key',
        scopes: [],
        aliases: '*',
        plan: null,
        sourceIp: ctx.sourceIp,
        userAgent: ctx.userAgent,
      };
      ctx.identity = identity;
      return;
    }
    (ctx.securityEvents ??= []).push({
      action: 'auth.failure',
      reason: 'GH_ERR_AUTH_INVALID',
      method: 'api_key',
    });
    throw new GatehouseError('GH_ERR_AUTH_INVALID');
  },
};

let tg: TestGateway | null = null;
let rx: Receiver | null = null;
afterEach(async () => {
  await tg?.close();
  await rx?.close();
  tg = null;
  rx = null;
});

async function start() {
  rx = await startReceiver();
  const dir = tmp('gh-gw-audit-');
  const hecUrl = rx.url;
  // Sink secrets resolve from the process environment at boot.
  process.env.GH_TEST_HEC_TOKEN = HEC_TOKEN;
  tg = await startTestGateway({
    config: (url) => ({
      routes: [
        demoRoute(url, {
          upstream: { provider: 'openai', url, model: DEMO_MODEL_ID, apiKey: '${GH_TEST_UPSTREAM_KEY}' },
        }),
      ],
      telemetry: {
        audit: {
          environment: 'test',
          sinks: [
            { kind: 'file', path: join(dir, 'audit.ndjson') },
            {
              kind: 'splunk_hec',
              url: hecUrl,
              token: '${GH_TEST_HEC_TOKEN}',
              flushIntervalMs: 20,
              backoffInitialMs: 20,
            },
          ],
        },
        spool: { dir: join(dir, 'spool') },
        metrics: { consumerLabel: true },
      },
    }),
    start: {
      stages: [...STAGES.filter((s) => s.phase !== 'authenticate'), keyStage],
      env: { ...process.env, GH_TEST_UPSTREAM_KEY: UPSTREAM_KEY, GH_TEST_HEC_TOKEN: HEC_TOKEN },
    },
  });
  return { gw: tg, dir };
}

const fileEvents = (dir: string): AuditEvent[] =>
  readFileSync(join(dir, 'audit.ndjson'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AuditEvent);

describe('audit events and metrics through the running gateway', () => {
  it('every request reaches every sink with identity and correlation', async () => {
    const { gw, dir } = await start();
    const client = new OpenAI({
      baseURL: `${gw.gw.url}/v1`,
      apiKey: CONSUMER_KEY,
      maxRetries: 0,
      defaultHeaders: {
        'user-agent': 'soc-test/1.0',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      },
    });
    const { data: answer, response } = await client.chat.completions
      .create({ model: 'demo', messages: [{ role: 'user', content: `hello ${PROMPT_SECRET}` }] })
      .withResponse();
    const requestId = response.headers.get('x-request-id');
    const stream = await client.chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
    });
    for await (const _ of stream) {
      // drain
    }
    const bad = new OpenAI({ baseURL: `${gw.gw.url}/v1`, apiKey: WRONG_KEY, maxRetries: 0 });
    await expect(
      bad.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toThrow();

    const svc = TELEMETRY.require(gw.gw.rt);
    await eventually(() => expect(fileEvents(dir).length).toBeGreaterThanOrEqual(4));
    expect(await svc.drain(5_000)).toBe(true);

    const events = fileEvents(dir);
    const hec = rx!.bodies.flatMap((b) => hecEnvelopes(b.body)).map((e) => e.event);
    expect(hec.map((e) => e.event.id).sort()).toEqual(events.map((e) => e.event.id).sort());

    const first = events.find(
      (e) => e.event.action === 'gen_ai.request' && e.http?.request.id === requestId,
    )!;
    expect(first).toMatchObject({
      event: { kind: 'event', category: ['web'], outcome: 'success', dataset: 'gatehouse.audit' },
      service: { name: 'gatehouse', environment: 'test' },
      source: { ip: '127.0.0.1' },
      user_agent: { original: 'soc-test/1.0' },
      user: { id: 'team-search' },
      session: { id: 'sess-42' },
      trace: { id: '4bf92f3577b34da6a3ce929d0e0e4736' },
      http: { response: { status_code: 200 } },
      gen_ai: {
        operation: { name: 'chat' },
        provider: { name: 'openai' },
        request: { model: 'demo' },
        response: { model: DEMO_MODEL_ID },
        usage: { input_tokens: answer.usage!.prompt_tokens, output_tokens: answer.usage!.completion_tokens },
        agent: { id: 'indexer-bot' },
      },
      gatehouse: {
        schema_version: 1,
        request_id: requestId,
        auth: { method: 'api_key' },
        agent: { id: 'indexer-bot' },
        route: { alias: 'demo', requested_alias: 'demo', pinned_model: DEMO_MODEL_ID },
        trace: { parent_span_id: '00f067aa0ba902b7' },
      },
    });
    expect(first.span!.id).toMatch(/^[0-9a-f]{16}$/);
    expect(first.gatehouse.latency_ms).toBeGreaterThan(0);
    expect(first.gen_ai!.input).toBeUndefined();

    const streamed = events.find(
      (e) => e.event.action === 'gen_ai.request' && e.gen_ai?.request.stream === true,
    )!;
    expect(streamed.gatehouse.ttft_ms).toBeGreaterThan(0);
    expect(streamed.gen_ai!.usage.output_tokens).toBeGreaterThan(0);

    const denied = events.find(
      (e) => e.event.action === 'gen_ai.request' && e.http?.response.status_code === 401,
    )!;
    expect(denied).toMatchObject({
      event: { outcome: 'failure' },
      error: { code: 'GH_ERR_AUTH_INVALID' },
      user: { id: null },
    });
    const failure = events.find((e) => e.event.action === 'auth.failure')!;
    expect(failure).toMatchObject({
      event: { category: ['authentication'], outcome: 'failure', reason: 'GH_ERR_AUTH_INVALID' },
      source: { ip: '127.0.0.1' },
      http: { request: { id: denied.http!.request.id } },
      trace: { id: denied.trace!.id },
    });
  });

  it('metrics are served on the metrics port and absent from the data-plane port', async () => {
    const { gw } = await start();
    const client = new OpenAI({ baseURL: `${gw.gw.url}/v1`, apiKey: CONSUMER_KEY, maxRetries: 0 });
    await client.chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: 'count me' }],
    });
    await expect(
      new OpenAI({ baseURL: `${gw.gw.url}/v1`, apiKey: WRONG_KEY, maxRetries: 0 }).models.list(),
    ).rejects.toThrow();

    const scrape = await (await fetch(`${gw.gw.metricsUrl}/metrics`)).text();
    expect(scrape).toMatch(
      /gatehouse_requests_total\{route="demo",endpoint="chat",status="200",status_class="2xx",consumer="team-search"\} 1/,
    );
    expect(scrape).toMatch(/gatehouse_tokens_total\{route="demo",type="input",consumer="team-search"\} \d+/);
    expect(scrape).toMatch(/gatehouse_auth_failures_total\{reason="GH_ERR_AUTH_INVALID"\} 1/);
    expect(scrape).toContain('gatehouse_request_duration_seconds_bucket');
    expect(scrape).toMatch(/gatehouse_audit_sink_queue_depth\{sink="splunk"\} \d+/);

    for (const path of ['/metrics', '/v1/metrics']) {
      const res = await fetch(`${gw.gw.url}${path}`);
      const body = await res.text();
      expect(res.status).toBe(404);
      expect(body).not.toContain('gatehouse_requests_total');
    }
  });

  it('secrets and authorization values never appear in any emitted event, log line or metric', async () => {
    const { gw, dir } = await start();
    const good = new OpenAI({ baseURL: `${gw.gw.url}/v1`, apiKey: CONSUMER_KEY, maxRetries: 0 });
    await good.chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: `my key is ${PROMPT_SECRET}` }],
    });
    const s = await good.chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: PROMPT_SECRET }],
      stream: true,
    });
    for await (const _ of s) {
      // drain
    }
    const bad = new OpenAI({ baseURL: `${gw.gw.url}/v1`, apiKey: WRONG_KEY, maxRetries: 0 });
    await expect(
      bad.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toThrow();
    await fetch(`${gw.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`admin:${WRONG_KEY}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: '{}',
    });
    const svc = TELEMETRY.require(gw.gw.rt);
    await eventually(() => expect(fileEvents(dir).length).toBeGreaterThanOrEqual(5));
    expect(await svc.drain(5_000)).toBe(true);

    // Everything this run emitted: audit file, every body the SIEM received (with its headers
    // removed: the HEC token is meant to be there), the process log and the metrics scrape.
    const emitted = [
      readFileSync(join(dir, 'audit.ndjson'), 'utf8'),
      ...rx!.bodies.map((b) => b.body),
      ...gw.logs.raw,
      await (await fetch(`${gw.gw.metricsUrl}/metrics`)).text(),
    ].join('\n');
    expect(emitted.length).toBeGreaterThan(1_000);
    expect(emitted).toContain('team-search');
    const forbidden = [
      CONSUMER_KEY,
      WRONG_KEY,
      UPSTREAM_KEY,
      HEC_TOKEN,
      PROMPT_SECRET,
      Buffer.from(`admin:${WRONG_KEY}`).toString('base64'),
      'Bearer ',
      'Basic ',
    ];
    for (const f of forbidden) expect(emitted, `emitted output contains ${f.slice(0, 12)}…`).not.toContain(f);
    expect(rx!.bodies[0]!.headers.authorization).toBe(`Splunk ${HEC_TOKEN}`);
  });
});
