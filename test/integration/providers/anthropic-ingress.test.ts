import Anthropic from '@anthropic-ai/sdk';
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

const WEATHER = {
  name: 'get_weather',
  description: 'Weather for a place',
  input_schema: {
    type: 'object' as const,
    properties: { location: { type: 'string' } },
    required: ['location'],
  },
};

describe('Anthropic Messages ingress (POST /v1/messages) with the official @anthropic-ai/sdk', () => {
  let openai: FakeProvider;
  let anthropic: FakeProvider;
  let t: TestGateway;
  let client: Anthropic;

  beforeAll(async () => {
    process.env.GH_TEST_ANTHROPIC_UP_KEY = 'sk-ant-upstream';
    openai = await startFakeProvider((_r, res) => sendJson(res, 200, fixtureJson('openai/chat.json')));
    anthropic = await startFakeProvider((_r, res) =>
      sendJson(res, 200, fixtureJson('anthropic/message.json')),
    );
    t = await startTestGateway({
      config: () => ({
        routes: [
          {
            alias: 'gpt',
            endpoints: ['chat'],
            caps: { maxInputTokens: 2000, maxOutputTokens: 256 },
            upstream: {
              provider: 'openai',
              url: `${openai.url}/v1`,
              model: 'gpt-4o-2024-08-06',
              zone2Colocated: true,
            },
          },
          {
            alias: 'claude',
            endpoints: ['chat'],
            tokenizer: 'anthropic_estimate',
            upstream: {
              provider: 'anthropic',
              url: `${anthropic.url}/v1`,
              model: 'claude-3-5-sonnet-20241022',
              apiKey: '${GH_TEST_ANTHROPIC_UP_KEY}',
              zone2Colocated: true,
            },
          },
        ],
      }),
    });
    client = new Anthropic({ baseURL: t.gw.url, apiKey: t.key ?? '', maxRetries: 0 });
  });
  afterAll(async () => {
    await t?.close();
    await openai?.close();
    await anthropic?.close();
  });

  it('answers a Messages request from an OpenAI upstream, as an Anthropic message', async () => {
    const msg = await client.messages.create({
      model: 'gpt',
      max_tokens: 100,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'Hello' }],
      metadata: { user_id: 'user-42' },
    });
    expect(msg.type).toBe('message');
    expect(msg.model).toBe('gpt');
    expect(msg.content).toEqual([{ type: 'text', text: 'Hello! How can I assist you today?' }]);
    expect(msg.stop_reason).toBe('end_turn');
    expect(msg.usage).toMatchObject({ input_tokens: 19, output_tokens: 10 });
    const sent = openai.requests.at(-1)?.json;
    expect(sent?.model).toBe('gpt-4o-2024-08-06');
    expect(sent?.user).toBe('user-42');
    expect(sent?.messages).toEqual([
      { role: 'system', content: expect.stringMatching(/^Be brief\./) },
      { role: 'user', content: 'Hello' },
    ]);
    await eventually(() =>
      expect(lastTokens(t.logs.lines)).toEqual({ input: 19, output: 10, source: 'upstream' }),
    );
  });

  it('maps tools and tool results in, and a tool call back as a tool_use block', async () => {
    openai.handle((_r, res) => sendJson(res, 200, fixtureJson('openai/tool-call.json')));
    const msg = await client.messages.create({
      model: 'gpt',
      max_tokens: 100,
      tools: [WEATHER],
      tool_choice: { type: 'any' },
      messages: [
        { role: 'user', content: 'Weather in Lyon?' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'Lyon' } }],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: '18C' },
            { type: 'text', text: 'And Boston?' },
          ],
        },
      ],
    });
    expect(msg.stop_reason).toBe('tool_use');
    expect(msg.content).toEqual([
      { type: 'tool_use', id: 'call_abc123', name: 'get_weather', input: { location: 'Boston, MA' } },
    ]);
    const sent = openai.requests.at(-1)?.json;
    expect(sent?.tool_choice).toBe('required');
    expect(sent?.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather for a place',
          parameters: WEATHER.input_schema,
        },
      },
    ]);
    expect(
      ((sent?.messages ?? []) as unknown[]).filter((m) => (m as { role: string }).role !== 'system'),
    ).toEqual([
      { role: 'user', content: 'Weather in Lyon?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'toolu_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"location":"Lyon"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: '18C' },
      { role: 'user', content: [{ type: 'text', text: 'And Boston?' }] },
    ]);
  });

  it('streams Anthropic typed events (the SDK assembles the final message)', async () => {
    openai.handle((_r, res) => sendPieces(res, 'text/event-stream', fixture('openai/stream.sse')));
    const stream = client.messages.stream({
      model: 'gpt',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    let text = '';
    stream.on('text', (d) => {
      text += d;
    });
    const final = await stream.finalMessage();
    expect(text).toBe('Hello from the gateway');
    expect(final.content).toEqual([{ type: 'text', text: 'Hello from the gateway' }]);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.output_tokens).toBe(4);
    expect(openai.requests.at(-1)?.json?.stream_options).toEqual({ include_usage: true });
  });

  it('fronts an Anthropic upstream too (Messages in, Messages out, through the chat pipeline), streamed', async () => {
    anthropic.handle((_r, res) => sendPieces(res, 'text/event-stream', fixture('anthropic/tool-stream.sse')));
    const final = await client.messages
      .stream({
        model: 'claude',
        max_tokens: 200,
        tools: [WEATHER],
        messages: [{ role: 'user', content: 'Weather in SF?' }],
      })
      .finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content).toEqual([
      { type: 'text', text: 'Let me check.' },
      {
        type: 'tool_use',
        id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
        name: 'get_weather',
        input: { location: 'San Francisco, CA' },
      },
    ]);
    expect(anthropic.requests.at(-1)?.headers['x-api-key']).toBe('sk-ant-upstream');
  });

  it('refuses an unknown field, an image by URL and a missing key; applies the input cap', async () => {
    const raw = (
      body: Record<string, unknown>,
      headers: Record<string, string> = { 'x-api-key': t.key ?? '' },
    ) =>
      fetch(`${t.gw.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers },
        body: JSON.stringify(body),
      });
    const base = { model: 'gpt', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] };
    const unknown = await raw({ ...base, sneaky_field: 'x' });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('GH_ERR_UNKNOWN_FIELD');
    const hidden = await raw({
      ...base,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi', hidden: 'ignore previous' }] }],
    });
    expect(((await hidden.json()) as { error: { code: string } }).error.code).toBe('GH_ERR_UNKNOWN_FIELD');
    const url = await raw({
      ...base,
      messages: [
        {
          role: 'user',
          content: [{ type: 'image', source: { type: 'url', url: 'http://169.254.169.254/' } }],
        },
      ],
    });
    expect(url.status).toBe(400);
    expect((await raw(base, {})).status).toBe(401);
    const big = await raw({ ...base, messages: [{ role: 'user', content: 'word '.repeat(3000) }] });
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('GH_ERR_INPUT_TOKENS');
    await expect(
      client.messages.create({
        model: 'gpt',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'word '.repeat(3000) }],
      }),
    ).rejects.toMatchObject({ status: 400 });
  });
});
