import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTokenCounter } from '../../../src/upstream/tokenizer.js';
import {
  type FakeProvider,
  fixture,
  fixtureJson,
  lastTokens,
  sendJson,
  sendPieces,
  startFakeProvider,
} from '../../helpers/fake-provider.js';
import { eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';

const MODEL = 'llama3.1:8b-instruct-q4_K_M';
const nonSystem = (m: unknown): unknown[] =>
  (Array.isArray(m) ? m : []).filter((x: { role?: string }) => x.role !== 'system');

describe("Ollama's native /api/chat behind the OpenAI wire format", () => {
  let fake: FakeProvider;
  let t: TestGateway;

  /** Chinese text: Mistral's vocabulary needs far more tokens for it than o200k_base. */
  const CJK = '你好，世界。今天的天气很好，我们去公园散步吧。'.repeat(20);
  let cap = 0;

  beforeAll(async () => {
    // A cap between the two counts (with room for the per-message overhead).
    cap = (await loadTokenCounter('o200k_base'))(CJK) + 40;
    fake = await startFakeProvider((_r, res) => sendJson(res, 200, fixtureJson('ollama/chat.json')));
    t = await startTestGateway({
      config: () => ({
        routes: [
          {
            alias: 'llama',
            endpoints: ['chat'],
            tokenizer: 'llama3',
            upstream: { provider: 'ollama-native', url: fake.url, model: MODEL, zone2Colocated: true },
          },
          ...(['mistral', 'o200k_base'] as const).map((tokenizer) => ({
            alias: `capped-${tokenizer}`,
            endpoints: ['chat' as const],
            tokenizer,
            caps: { maxInputTokens: cap },
            upstream: {
              provider: 'ollama-native' as const,
              url: fake.url,
              model: 'mistral:7b-instruct-v0.3-q4_0',
              zone2Colocated: true,
            },
          })),
        ],
      }),
    });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('maps a chat to /api/chat with options, and the eval counts to usage', async () => {
    const out = await t.client().chat.completions.create({
      model: 'llama',
      messages: [{ role: 'user', content: 'Hello' }],
      max_tokens: 40,
      temperature: 0.3,
      seed: 7,
    });
    expect(out.choices[0]?.message.content).toBe('Hello! How are you today?');
    expect(out.usage).toMatchObject({ prompt_tokens: 26, completion_tokens: 8 });
    const sent = fake.requests.at(-1);
    expect(sent?.url).toBe('/api/chat');
    expect(sent?.json).toMatchObject({
      model: MODEL,
      stream: false,
      options: { num_predict: 40, temperature: 0.3, seed: 7 },
    });
    // The guard's canary arrives as a system turn of its own; the consumer's turns follow.
    expect(nonSystem(sent?.json?.messages)).toEqual([{ role: 'user', content: 'Hello' }]);
    await eventually(() =>
      expect(lastTokens(t.logs.lines)).toEqual({ input: 26, output: 8, source: 'upstream' }),
    );
  });

  it('maps tools and tool_calls (object arguments) both ways', async () => {
    fake.handle((_r, res) => sendJson(res, 200, fixtureJson('ollama/chat-tool.json')));
    const out = await t.client().chat.completions.create({
      model: 'llama',
      messages: [
        { role: 'user', content: 'Weather in Ottawa?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_0',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"location":"Ottawa"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_0', content: '-5C' },
        { role: 'user', content: 'Toronto?' },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
        },
      ],
    });
    const call = out.choices[0]?.message.tool_calls?.[0];
    expect(out.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ location: 'Toronto' });
    expect(nonSystem(fake.requests.at(-1)?.json?.messages)).toEqual([
      { role: 'user', content: 'Weather in Ottawa?' },
      {
        role: 'assistant',
        content: '',
        tool_calls: [{ function: { name: 'get_weather', arguments: { location: 'Ottawa' } } }],
      },
      { role: 'tool', content: '-5C', tool_name: 'get_weather' },
      { role: 'user', content: 'Toronto?' },
    ]);
  });

  it('reads the NDJSON stream split mid-line into OpenAI chunks', async () => {
    fake.handle((_r, res) =>
      sendPieces(res, 'application/x-ndjson', fixture('ollama/chat-stream.ndjson'), 9),
    );
    const stream = await t.client().chat.completions.create({
      model: 'llama',
      messages: [{ role: 'user', content: 'Sky?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: unknown = null;
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? '';
      if (c.usage) usage = c.usage;
    }
    expect(text).toBe('The sky is blue ☀');
    expect(usage).toMatchObject({ prompt_tokens: 26, completion_tokens: 5 });
    expect(fake.requests.at(-1)?.json?.stream).toBe(true);
  });

  it("a missing model (Ollama's 404) is the gateway's upstream error, not the consumer's", async () => {
    fake.handle((_r, res) =>
      sendJson(res, 404, { error: `model "${MODEL}" not found, try pulling it first` }),
    );
    const res = await fetch(`${t.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...t.authHeaders, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'llama', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('GH_ERR_UPSTREAM_ERROR');
  });

  it("enforces the input cap with the serving model's tokenizer (Mistral counts this text higher)", async () => {
    fake.handle((_r, res) => sendJson(res, 200, fixtureJson('ollama/chat.json')));
    const post = (model: string) =>
      fetch(`${t.gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...t.authHeaders, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: CJK }], max_tokens: 5 }),
      });
    const mistral = await (await loadTokenCounter('mistral'))(CJK);
    expect(mistral).toBeGreaterThan(cap);
    const refused = await post('capped-mistral');
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('GH_ERR_INPUT_TOKENS');
    expect((await post('capped-o200k_base')).status).toBe(200);
  });
});
