import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeAwsEvent } from '../../../src/upstream/providers/native-streams.js';
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
import { verifySigV4 } from '../../helpers/sigv4-verify.js';

const MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';
const SECRET = 'bedrock/fixture/secret/key/EXAMPLEKEY';

/** A recorded ConverseStream answer (JSON lines of [message-type, event-type, payload]) as event-stream frames. */
function frames(name: string): Buffer {
  const parts = fixture(name)
    .trim()
    .split('\n')
    .map((l) => {
      const [kind, type, payload] = JSON.parse(l) as [string, string, Record<string, unknown>];
      return Buffer.from(encodeAwsEvent(kind, type, payload));
    });
  return Buffer.concat(parts);
}

const TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { location: { type: 'string' } } },
  },
};

describe('Amazon Bedrock Converse behind the OpenAI wire format', () => {
  let fake: FakeProvider;
  let t: TestGateway;

  beforeAll(async () => {
    process.env.GH_TEST_AWS_KEY_ID = 'AKIDFIXTURE';
    process.env.GH_TEST_AWS_SECRET = SECRET;
    process.env.GH_TEST_AWS_TOKEN = 'session-token-fixture';
    fake = await startFakeProvider((_r, res) => sendJson(res, 200, fixtureJson('bedrock/converse.json')));
    t = await startTestGateway({
      config: () => ({
        routes: [
          {
            alias: 'haiku',
            endpoints: ['chat'],
            tokenizer: 'anthropic_estimate',
            upstream: {
              provider: 'bedrock',
              url: fake.url,
              model: MODEL,
              zone2Colocated: true,
              bedrock: {
                region: 'eu-central-1',
                accessKeyId: '${GH_TEST_AWS_KEY_ID}',
                secretAccessKey: '${GH_TEST_AWS_SECRET}',
                sessionToken: '${GH_TEST_AWS_TOKEN}',
                guardrail: { identifier: 'gr-abc123', version: '3', trace: 'enabled' },
              },
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

  it('signs Converse with SigV4 (verified independently on the received bytes) and maps the answer', async () => {
    const out = await t.client().chat.completions.create({
      model: 'haiku',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello?' },
      ],
      max_tokens: 64,
      top_p: 0.9,
    });
    expect(out.choices[0]?.message.content).toBe('Hello! I am doing well, thank you.');
    expect(out.usage).toMatchObject({ prompt_tokens: 14, completion_tokens: 9 });
    const sent = fake.requests.at(-1);
    if (sent === undefined) throw new Error('no request');
    expect(sent.url).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse');
    const check = verifySigV4(sent.method, sent.url, sent.headers, sent.raw, SECRET);
    expect(check).toMatchObject({ ok: true, region: 'eu-central-1', service: 'bedrock' });
    expect(check.signedHeaders).toEqual(expect.arrayContaining(['host', 'content-type', 'x-amz-date']));
    expect(sent.headers['x-amz-security-token']).toBe('session-token-fixture');
    expect(String(sent.headers.authorization)).toContain('Credential=AKIDFIXTURE/');
    expect(sent.json).toMatchObject({
      system: [{ text: expect.stringMatching(/^Be brief\./) }],
      messages: [{ role: 'user', content: [{ text: 'Hello?' }] }],
      inferenceConfig: { maxTokens: 64, topP: 0.9 },
      guardrailConfig: { guardrailIdentifier: 'gr-abc123', guardrailVersion: '3', trace: 'enabled' },
    });
    expect(sent.json?.model).toBeUndefined();
    await eventually(() =>
      expect(lastTokens(t.logs.lines)).toEqual({ input: 14, output: 9, source: 'upstream' }),
    );
  });

  it('a tampered body fails the independent verification (the check is real)', () => {
    const sent = fake.requests.at(-1);
    if (sent === undefined) throw new Error('no request');
    expect(verifySigV4(sent.method, sent.url, sent.headers, `${sent.raw} `, SECRET).ok).toBe(false);
  });

  it('maps tools to toolConfig and toolUse back to tool_calls', async () => {
    fake.handle((_r, res) => sendJson(res, 200, fixtureJson('bedrock/converse-tool.json')));
    const out = await t.client().chat.completions.create({
      model: 'haiku',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [TOOL],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    const call = out.choices[0]?.message.tool_calls?.[0];
    expect(out.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.id).toBe('tooluse_kZJMlvQmRJ6eAyJE5GIl7Q');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ location: 'Paris' });
    expect(fake.requests.at(-1)?.json?.toolConfig).toEqual({
      tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: TOOL.function.parameters } } }],
      toolChoice: { tool: { name: 'get_weather' } },
    });
  });

  it('decodes ConverseStream event-stream frames split across reads into OpenAI chunks', async () => {
    fake.handle((_r, res) =>
      sendPieces(res, 'application/vnd.amazon.eventstream', frames('bedrock/converse-stream.jsonl'), 13),
    );
    const stream = await t.client().chat.completions.create({
      model: 'haiku',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: unknown = null;
    let finish: string | null = null;
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
      if (c.usage) usage = c.usage;
    }
    expect(text).toBe('Hello from Bedrock, ça va?');
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: 14, completion_tokens: 7 });
    const sent = fake.requests.at(-1);
    expect(sent?.url).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream');
    if (sent) expect(verifySigV4(sent.method, sent.url, sent.headers, sent.raw, SECRET).ok).toBe(true);
    await eventually(() =>
      expect(lastTokens(t.logs.lines)).toEqual({ input: 14, output: 7, source: 'upstream' }),
    );
  });

  it('streams a tool call', async () => {
    fake.handle((_r, res) =>
      sendPieces(res, 'application/vnd.amazon.eventstream', frames('bedrock/converse-stream-tool.jsonl'), 5),
    );
    const stream = await t.client().chat.completions.create({
      model: 'haiku',
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [TOOL],
      stream: true,
    });
    let args = '';
    let name = '';
    let finish: string | null = null;
    for await (const c of stream) {
      const tc = c.choices[0]?.delta.tool_calls?.[0];
      if (tc?.function?.name) name = tc.function.name;
      args += tc?.function?.arguments ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    expect(name).toBe('get_weather');
    expect(JSON.parse(args)).toEqual({ location: 'Paris' });
    expect(finish).toBe('tool_calls');
  });

  it('maps ThrottlingException (HTTP) to 429 and a mid-stream throttlingException to a terminal error', async () => {
    fake.handle((_r, res) =>
      sendJson(
        res,
        429,
        { message: 'Too many requests, please wait before trying again.' },
        {
          'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/',
        },
      ),
    );
    const res = await fetch(`${t.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...t.authHeaders, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'haiku', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'GH_ERR_UPSTREAM_RATE_LIMITED',
    );

    fake.handle((_r, r) =>
      sendPieces(
        r,
        'application/vnd.amazon.eventstream',
        frames('bedrock/converse-stream-throttled.jsonl'),
        3,
      ),
    );
    const s = await fetch(`${t.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...t.authHeaders, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'haiku', messages: [{ role: 'user', content: 'Hi' }], stream: true }),
    });
    const body = await s.text();
    // The stream had started (a role chunk went out): the failure is a terminal error event.
    expect(body).toContain('"role":"assistant"');
    expect(body.trim().endsWith('data: [DONE]')).toBe(true);
    expect(body).toContain('GH_ERR_UPSTREAM_RATE_LIMITED');
  });

  it('a ValidationException is the consumer-fixable 400', async () => {
    fake.handle((_r, res) =>
      sendJson(
        res,
        400,
        { message: 'Malformed input request' },
        { 'x-amzn-errortype': 'ValidationException:' },
      ),
    );
    const res = await fetch(`${t.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...t.authHeaders, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'haiku', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('GH_ERR_UPSTREAM_REJECTED');
  });
});
