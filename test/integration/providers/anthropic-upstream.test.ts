import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const MODEL = 'claude-3-5-sonnet-20241022';
const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a place',
    parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
  },
};

describe('Anthropic Messages upstream behind the OpenAI wire format', () => {
  let fake: FakeProvider;
  let t: TestGateway;

  beforeAll(async () => {
    process.env.GH_TEST_ANTHROPIC_KEY = 'sk-ant-fixture-key';
    fake = await startFakeProvider((_r, res) => sendJson(res, 200, fixtureJson('anthropic/message.json')));
    t = await startTestGateway({
      config: () => ({
        routes: [
          {
            alias: 'claude',
            endpoints: ['chat'],
            tokenizer: 'anthropic_estimate',
            upstream: {
              provider: 'anthropic',
              url: `${fake.url}/v1`,
              model: MODEL,
              apiKey: '${GH_TEST_ANTHROPIC_KEY}',
              zone2Colocated: true,
              anthropic: { beta: ['prompt-caching-2024-07-31'] },
            },
          },
        ],
      }),
    });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('maps a non-streamed chat to /v1/messages with x-api-key and anthropic-version, and back', async () => {
    const out = await t.client().chat.completions.create({
      model: 'claude',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      max_tokens: 100,
      temperature: 0.2,
      stop: ['END'],
    });
    expect(out.choices[0]?.message.content).toBe('Hello! How can I help you today?');
    expect(out.choices[0]?.finish_reason).toBe('stop');
    expect(out.model).toBe('claude');
    expect(out.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 10, total_tokens: 22 });
    const sent = fake.requests.at(-1);
    expect(sent?.url).toBe('/v1/messages');
    expect(sent?.headers['x-api-key']).toBe('sk-ant-fixture-key');
    expect(sent?.headers.authorization).toBeUndefined();
    expect(sent?.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent?.headers['anthropic-beta']).toBe('prompt-caching-2024-07-31');
    expect(sent?.json).toMatchObject({
      model: MODEL,
      // The guard's canary rides after the operator's system text.
      system: expect.stringMatching(/^Be brief\./),
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      max_tokens: 100,
      temperature: 0.2,
      stop_sequences: ['END'],
    });
    // The limiter settles on the provider's count.
    await eventually(() => {
      expect(lastTokens(t.logs.lines)).toEqual({ input: 12, output: 10, source: 'upstream' });
    });
  });

  it('maps tools, tool_choice and a tool round trip both ways', async () => {
    fake.handle((_r, res) => sendJson(res, 200, fixtureJson('anthropic/tool-message.json')));
    const out = await t.client().chat.completions.create({
      model: 'claude',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'toolu_prev',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"location":"Lyon"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_prev', content: '18C' },
        { role: 'user', content: 'And Paris?' },
      ],
      tools: [WEATHER_TOOL],
      tool_choice: 'required',
      max_tokens: 200,
    });
    const call = out.choices[0]?.message.tool_calls?.[0];
    expect(out.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.id).toBe('toolu_01A09q90qw90lq917835lq9');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({
      location: 'Paris, France',
      unit: 'celsius',
    });
    const sent = fake.requests.at(-1)?.json;
    expect(sent?.tools).toEqual([
      {
        name: 'get_weather',
        description: 'Weather for a place',
        input_schema: WEATHER_TOOL.function.parameters,
      },
    ]);
    expect(sent?.tool_choice).toEqual({ type: 'any' });
    expect(sent?.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_prev', name: 'get_weather', input: { location: 'Lyon' } }],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_prev', content: '18C' },
          { type: 'text', text: 'And Paris?' },
        ],
      },
    ]);
  });

  it('streams text as OpenAI chunks and settles on the streamed usage', async () => {
    fake.handle((_r, res) => sendPieces(res, 'text/event-stream', fixture('anthropic/stream.sse')));
    const stream = await t.client().chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 100,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: unknown = null;
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
      if (c.usage) usage = c.usage;
      expect(c.model).toBe('claude');
    }
    expect(text).toBe('Hello there, héllo 世界!');
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: 25, completion_tokens: 15 });
    expect(fake.requests.at(-1)?.json?.stream).toBe(true);
    await eventually(() => {
      expect(lastTokens(t.logs.lines)).toEqual({ input: 25, output: 15, source: 'upstream' });
    });
  });

  it('streams a tool call as indexed tool_calls deltas', async () => {
    fake.handle((_r, res) => sendPieces(res, 'text/event-stream', fixture('anthropic/tool-stream.sse'), 11));
    const stream = await t.client().chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'Weather in SF?' }],
      tools: [WEATHER_TOOL],
      max_tokens: 200,
      stream: true,
    });
    let args = '';
    let id = '';
    let name = '';
    let finish: string | null = null;
    for await (const c of stream) {
      const tc = c.choices[0]?.delta.tool_calls?.[0];
      if (tc?.id) id = tc.id;
      if (tc?.function?.name) name = tc.function.name;
      args += tc?.function?.arguments ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    expect({ id, name, finish }).toEqual({
      id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
      name: 'get_weather',
      finish: 'tool_calls',
    });
    expect(JSON.parse(args)).toEqual({ location: 'San Francisco, CA' });
  });

  it("maps Anthropic's 429 to the gateway's 429 with retry-after", async () => {
    fake.handle((_r, res) =>
      sendJson(res, 429, fixtureJson('anthropic/rate-limit.json'), {
        'retry-after': '17',
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-remaining': '0',
      }),
    );
    const res = await fetch(`${t.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...t.authHeaders, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 10 }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('17');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'GH_ERR_UPSTREAM_RATE_LIMITED',
    );
    // The provider's own rate-limit headers feed the deployment's quota alert.
    await eventually(() =>
      expect(t.logs.lines.some((l) => l.alert === 'provider.quota_approaching' && l.route === 'claude')).toBe(
        true,
      ),
    );
  });

  it('an overloaded stream event ends the stream with an upstream error', async () => {
    fake.handle((_r, res) =>
      sendPieces(
        res,
        'text/event-stream',
        `${fixture('anthropic/stream.sse').split('event: content_block_stop')[0]}event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n`,
      ),
    );
    const stream = await t.client().chat.completions.create({
      model: 'claude',
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 100,
      stream: true,
    });
    await expect(async () => {
      for await (const _c of stream) {
        // drain
      }
    }).rejects.toThrow();
  });
});
