import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { type FakeProvider, fixtureJson, sendJson, startFakeProvider } from '../../helpers/fake-provider.js';
import { eventually } from '../../helpers/gateway.js';
import { type AdminFixture, startAdminFixture } from '../admin/helpers.js';

const VLLM_MODEL = 'mistralai/Mistral-7B-Instruct-v0.3';
const TGI_MODEL = 'meta-llama/Llama-3.1-8B-Instruct';
const TGI_SHA = '0e9e39f249a16976918f6564b8830bc894c89659';

// vLLM's exposition: per-model label sets (summed), a comment, a timestamp, a label value with a space.
const VLLM_METRICS = `# HELP vllm:num_requests_waiting Number of requests waiting.
# TYPE vllm:num_requests_waiting gauge
vllm:num_requests_waiting{engine="0",model_name="${VLLM_MODEL}"} 3.0
vllm:num_requests_waiting{engine="1",model_name="a b"} 2.0 1733390000000
vllm:num_requests_running{engine="0",model_name="${VLLM_MODEL}"} 7.0
vllm:kv_cache_usage_perc{engine="0",model_name="${VLLM_MODEL}"} 0.42
vllm:num_requests_waiting_total 99
`;

interface Served {
  vllmModels: Array<{ id: string; max_model_len?: number }>;
  tgiInfo: Record<string, unknown> | null;
}

describe('vLLM and TGI introspection: the served model is checked against the pin', () => {
  let fake: FakeProvider;
  let f: AdminFixture;
  const served: Served = {
    vllmModels: [{ id: VLLM_MODEL, max_model_len: 4_096 }],
    tgiInfo: { model_id: TGI_MODEL, model_sha: TGI_SHA, max_input_tokens: 16_000, max_total_tokens: 16_384 },
  };
  const chats = () => fake.requests.filter((r) => r.url.endsWith('/chat/completions')).length;

  beforeAll(async () => {
    fake = await startFakeProvider((req, res) => {
      if (req.url === '/v1/models') return sendJson(res, 200, { object: 'list', data: served.vllmModels });
      if (req.url === '/info')
        return served.tgiInfo === null
          ? sendJson(res, 404, { error: 'no' })
          : sendJson(res, 200, served.tgiInfo);
      if (req.url === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        return void res.end(VLLM_METRICS);
      }
      if (req.url === '/v1/chat/completions') return sendJson(res, 200, fixtureJson('openai/chat.json'));
      sendJson(res, 404, { error: 'not found' });
    });
    type Up = { provider: 'vllm' | 'tgi'; model: string; introspect: Record<string, unknown> };
    const route = (alias: string, upstream: Up, caps = {}) => ({
      alias,
      endpoints: ['chat' as const],
      caps,
      upstream: { url: `${fake.url}/v1`, zone2Colocated: true, ...upstream },
    });
    f = await startAdminFixture(() => ({
      routes: [
        route(
          'vllm',
          { provider: 'vllm', model: VLLM_MODEL, introspect: { intervalMs: 1_000 } },
          { maxInputTokens: 8_000 },
        ),
        route('tgi', { provider: 'tgi', model: TGI_MODEL, introspect: { revision: TGI_SHA.slice(0, 12) } }),
        route('tgi-old', { provider: 'tgi', model: TGI_MODEL, introspect: { revision: 'abcdef1234' } }),
        route('tgi-unchecked', {
          provider: 'tgi',
          model: 'other/model',
          introspect: { verifyModel: false, metrics: false },
        }),
      ],
    }));
  });
  afterAll(async () => {
    await f?.close();
    await fake?.close();
  });

  const client = () => new OpenAI({ baseURL: `${f.t.gw.url}/v1`, apiKey: f.dataKey, maxRetries: 0 });
  const chat = (model: string) =>
    client().chat.completions.create({ model, messages: [{ role: 'user', content: 'Hello' }] });

  it('a server seen serving the pinned model (and revision) takes traffic', async () => {
    const out = await chat('vllm');
    expect(out.choices[0]?.message.content).toBeTruthy();
    expect((await chat('tgi')).choices[0]?.message.content).toBeTruthy();
    // Verification off: traffic flows whatever the server reports.
    expect((await chat('tgi-unchecked')).choices[0]?.message.content).toBeTruthy();
  });

  it('a revision other than the pinned one is refused before anything is sent', async () => {
    const before = chats();
    const err = await chat('tgi-old').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('GH_ERR_UPSTREAM_MODEL_UNVERIFIED');
    expect(chats()).toBe(before);
  });

  it("exports the server's queue, KV cache and context limit, and warns when caps exceed it", async () => {
    const metrics = await (await fetch(`${f.t.gw.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/gatehouse_backend_requests_waiting\{route="vllm"\} 5\b/);
    expect(metrics).toMatch(/gatehouse_backend_requests_running\{route="vllm"\} 7\b/);
    expect(metrics).toMatch(/gatehouse_backend_kv_cache_usage_ratio\{route="vllm"\} 0\.42/);
    expect(metrics).toMatch(/gatehouse_backend_context_tokens\{route="vllm"\} 4096/);
    expect(metrics).toMatch(/gatehouse_backend_model_verified\{route="tgi"\} 1/);
    expect(metrics).toMatch(/gatehouse_backend_model_verified\{route="tgi-old"\} 0/);
    const warn = f.t.logs.lines.find((l) => String(l.msg).includes('caps.maxInputTokens is above'));
    expect(warn).toMatchObject({ route: 'vllm', maxInputTokens: 8_000, serverLimit: 4_096 });
  });

  it('the admin API shows what each server reports; viewers read, operators refresh', async () => {
    const viewer = await f.token(['viewer']);
    const read = await f.call('GET', '/admin/v1/backends', { token: viewer });
    expect(read.status).toBe(200);
    const by = Object.fromEntries(read.body.backends.map((b: { route: string }) => [b.route, b]));
    expect(by.vllm).toMatchObject({ state: 'verified', servedModels: [VLLM_MODEL], contextLimit: 4_096 });
    expect(by.tgi).toMatchObject({ state: 'verified', revision: TGI_SHA, contextLimit: 16_000 });
    expect(by['tgi-old']).toMatchObject({ state: 'mismatch', revision: TGI_SHA });
    const denied = await f.call('POST', '/admin/v1/backends/refresh', { token: viewer, reason: 'check' });
    expect(denied.status).toBe(403);
  });

  it('a server that starts serving another model is refused at the next probe, and again served after', async () => {
    served.vllmModels = [{ id: 'mistralai/Mistral-7B-Instruct-v0.2' }];
    const operator = await f.token(['operator']);
    const refreshed = await f.call('POST', '/admin/v1/backends/refresh', { token: operator, reason: 'swap' });
    expect(refreshed.status).toBe(200);
    const err = await chat('vllm').catch((e: unknown) => e);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('GH_ERR_UPSTREAM_MODEL_UNVERIFIED');
    const logged = f.t.logs.lines.find(
      (l) => l.msg === 'backend does not serve the pinned model' && l.route === 'vllm',
    );
    expect(logged).toMatchObject({ served: ['mistralai/Mistral-7B-Instruct-v0.2'] });
    // The interval poller (1 s here) picks the right model up again without an operator.
    served.vllmModels = [{ id: VLLM_MODEL, max_model_len: 4_096 }];
    await eventually(
      async () => expect((await chat('vllm')).choices[0]?.message.content).toBeTruthy(),
      30_000,
    );
  });

  it('a failed probe keeps a verified server serving; a server never verified stays refused', async () => {
    served.tgiInfo = null;
    const operator = await f.token(['operator']);
    await f.call('POST', '/admin/v1/backends/refresh', { token: operator, reason: 'outage' });
    const read = await f.call('GET', '/admin/v1/backends', { token: operator });
    const tgi = read.body.backends.find((b: { route: string }) => b.route === 'tgi');
    expect(tgi).toMatchObject({ state: 'unreachable', error: expect.stringContaining('404') });
    expect((await chat('tgi')).choices[0]?.message.content).toBeTruthy();
    const err = await chat('tgi-old').catch((e: unknown) => e);
    expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe('GH_ERR_UPSTREAM_MODEL_UNVERIFIED');
  });
});

describe('upstream.introspect in the config', () => {
  const base = (upstream: Record<string, unknown>) => ({
    routes: [{ alias: 'r', upstream: { url: 'http://127.0.0.1:9/v1', model: 'm-2024-01-01', ...upstream } }],
  });
  it('is only for vllm and tgi, and a revision only for tgi', () => {
    expect(() => parseConfig(base({ provider: 'openai', introspect: {} }))).toThrow(
      /only for providers vllm and tgi/,
    );
    expect(() => parseConfig(base({ provider: 'vllm', introspect: { revision: 'abcdef1' } }))).toThrow(
      /only for provider tgi/,
    );
    const ok = parseConfig(base({ provider: 'tgi', introspect: { revision: 'abcdef1' } }));
    expect(ok.routes[0]?.upstream.introspect).toMatchObject({ verifyModel: true, intervalMs: 30_000 });
  });
});
