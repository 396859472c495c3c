import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importSPKI, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeProvider,
  fixture,
  fixtureJson,
  lastTokens,
  type Recorded,
  sendJson,
  sendPieces,
  startFakeProvider,
} from '../../helpers/fake-provider.js';
import { eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';

const MODEL = 'gemini-2.0-flash-001';
const BASE = `/v1/projects/gh-test-project/locations/europe-west4/publishers/google/models/${MODEL}`;
const SA_EMAIL = 'gatehouse@gh-test-project.iam.gserviceaccount.com';
const TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    parameters: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { location: { type: 'string' } },
      additionalProperties: false,
    },
  },
};

describe('Vertex AI Gemini behind the OpenAI wire format', () => {
  let fake: FakeProvider;
  let t: TestGateway;
  let publicPem = '';
  const tokenRequests: Recorded[] = [];
  let answer: (
    r: Recorded,
    res: Parameters<Parameters<FakeProvider['handle']>[0]>[1],
  ) => void | Promise<void> = (_r, res) => sendJson(res, 200, fixtureJson('vertex/generate.json'));

  beforeAll(async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    fake = await startFakeProvider(async (r, res) => {
      if (r.url === '/token') {
        tokenRequests.push(r);
        const form = new URLSearchParams(r.raw);
        // The JWT-bearer grant, checked as Google checks it: signature, issuer, audience, scope.
        const { payload } = await jwtVerify(
          form.get('assertion') ?? '',
          await importSPKI(publicPem, 'RS256'),
          {
            issuer: SA_EMAIL,
            audience: `${fake.url}/token`,
          },
        );
        expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
        expect(payload.scope).toBe('https://www.googleapis.com/auth/cloud-platform');
        sendJson(res, 200, {
          access_token: 'ya29.fixture-access-token',
          expires_in: 3599,
          token_type: 'Bearer',
        });
        return;
      }
      if (r.headers.authorization !== 'Bearer ya29.fixture-access-token') {
        sendJson(res, 401, { error: { code: 401, status: 'UNAUTHENTICATED', message: 'bad token' } });
        return;
      }
      await answer(r, res);
    });
    const dir = mkdtempSync(join(tmpdir(), 'gh-vertex-'));
    const keyFile = join(dir, 'sa.json');
    writeFileSync(
      keyFile,
      JSON.stringify({
        type: 'service_account',
        project_id: 'gh-test-project',
        private_key_id: 'fixture',
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        client_email: SA_EMAIL,
        token_uri: `${fake.url}/token`,
      }),
      { mode: 0o600 },
    );
    t = await startTestGateway({
      config: () => ({
        routes: [
          {
            alias: 'gemini',
            endpoints: ['chat'],
            upstream: {
              provider: 'vertex',
              url: fake.url,
              model: MODEL,
              zone2Colocated: true,
              vertex: { project: 'gh-test-project', location: 'europe-west4', serviceAccount: keyFile },
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

  it('exchanges a signed JWT for a token once, calls generateContent and maps the answer', async () => {
    const client = t.client();
    const out = await client.chat.completions.create({
      model: 'gemini',
      messages: [
        { role: 'system', content: 'Answer in French.' },
        { role: 'user', content: 'Hello' },
      ],
      max_tokens: 50,
      temperature: 0.1,
    });
    await client.chat.completions.create({ model: 'gemini', messages: [{ role: 'user', content: 'Again' }] });
    expect(out.choices[0]?.message.content).toBe('Bonjour ! Comment puis-je vous aider ?');
    expect(out.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 11 });
    expect(tokenRequests).toHaveLength(1); // cached until shortly before it expires
    const sent = fake.requests.filter((r) => r.url !== '/token').at(-2);
    expect(sent?.url).toBe(`${BASE}:generateContent`);
    expect(sent?.json).toMatchObject({
      systemInstruction: { parts: [{ text: expect.stringMatching(/^Answer in French\./) }] },
      contents: [{ role: 'user', parts: [{ text: 'Hello' }] }],
      generationConfig: { maxOutputTokens: 50, temperature: 0.1 },
    });
    await eventually(() => expect(lastTokens(t.logs.lines)).toMatchObject({ source: 'upstream' }));
  });

  it('maps function declarations (unsupported schema keywords dropped) and functionCall back', async () => {
    answer = (_r, res) => sendJson(res, 200, fixtureJson('vertex/generate-tool.json'));
    const out = await t.client().chat.completions.create({
      model: 'gemini',
      messages: [
        { role: 'user', content: 'Weather in Lyon?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_9',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"location":"Lyon"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_9', content: 'rain' },
        { role: 'user', content: 'And Boston?' },
      ],
      tools: [TOOL],
      tool_choice: 'auto',
    });
    const call = out.choices[0]?.message.tool_calls?.[0];
    expect(out.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' && [call.function.name, JSON.parse(call.function.arguments)]).toEqual([
      'get_weather',
      { location: 'Boston, MA' },
    ]);
    const sent = fake.requests.at(-1)?.json;
    expect(sent?.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: 'get_weather',
            parameters: { type: 'object', properties: { location: { type: 'string' } } },
          },
        ],
      },
    ]);
    expect(sent?.toolConfig).toEqual({ functionCallingConfig: { mode: 'AUTO' } });
    expect(sent?.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Lyon?' }] },
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { location: 'Lyon' } } }] },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { content: 'rain' } } },
          { text: 'And Boston?' },
        ],
      },
    ]);
  });

  it('streams streamGenerateContent?alt=sse (CRLF events) as OpenAI chunks with the final usage', async () => {
    answer = (_r, res) => sendPieces(res, 'text/event-stream', fixture('vertex/stream.sse'), 9);
    const stream = await t.client().chat.completions.create({
      model: 'gemini',
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
    expect(text).toBe('Hallo Welt, grüß dich!');
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: 6, completion_tokens: 8 });
    expect(fake.requests.at(-1)?.url).toBe(`${BASE}:streamGenerateContent?alt=sse`);
    await eventually(() =>
      expect(lastTokens(t.logs.lines)).toEqual({ input: 6, output: 8, source: 'upstream' }),
    );
  });

  it('maps RESOURCE_EXHAUSTED to 429', async () => {
    answer = (_r, res) => sendJson(res, 429, fixtureJson('vertex/rate-limit.json'));
    const res = await fetch(`${t.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...t.authHeaders, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gemini', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'GH_ERR_UPSTREAM_RATE_LIMITED',
    );
  });
});
