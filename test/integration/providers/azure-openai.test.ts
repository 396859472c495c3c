import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

const PATH = '/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21';

describe('Azure OpenAI behind the OpenAI wire format', () => {
  let fake: FakeProvider;
  let t: TestGateway;
  let auditFile = '';
  const tokenRequests: Recorded[] = [];

  beforeAll(async () => {
    process.env.GH_TEST_AZURE_KEY = 'azure-fixture-api-key';
    process.env.GH_TEST_ENTRA_SECRET = 'entra-fixture-client-secret';
    fake = await startFakeProvider((r, res) => {
      if (r.url === '/tenant-1234/oauth2/v2.0/token') {
        tokenRequests.push(r);
        sendJson(res, 200, {
          token_type: 'Bearer',
          expires_in: 3599,
          access_token: 'eyJ0eXAiOiJKV1Q.entra-fixture',
        });
        return;
      }
      sendJson(res, 200, fixtureJson('azure/chat.json'));
    });
    const dir = mkdtempSync(join(tmpdir(), 'gh-azure-'));
    auditFile = join(dir, 'audit.ndjson');
    const route = (alias: string, extra: Record<string, unknown>) => ({
      alias,
      endpoints: ['chat' as const],
      upstream: {
        provider: 'azure-openai' as const,
        url: fake.url,
        model: 'gpt-4o-2024-08-06',
        zone2Colocated: true,
        ...extra,
      },
    });
    t = await startTestGateway({
      config: () => ({
        routes: [
          route('azure-key', {
            apiKey: '${GH_TEST_AZURE_KEY}',
            azure: { deployment: 'gpt4o-prod', apiVersion: '2024-10-21' },
          }),
          route('azure-entra', {
            azure: {
              deployment: 'gpt4o-prod',
              apiVersion: '2024-10-21',
              entra: {
                tenantId: 'tenant-1234',
                clientId: 'client-5678',
                clientSecret: '${GH_TEST_ENTRA_SECRET}',
                authorityUrl: fake.url,
              },
            },
          }),
        ],
        telemetry: { audit: { environment: 'test', sinks: [{ kind: 'file', path: auditFile }] } },
      }),
    });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('calls the deployment with the pinned api-version and api-key; content-filter results reach the audit event', async () => {
    const out = await t.client().chat.completions.create({
      model: 'azure-key',
      messages: [{ role: 'user', content: 'Tell me about a duel.' }],
    });
    expect(out.choices[0]?.message.content).toBe('The duel ended at dawn.');
    const sent = fake.requests.at(-1);
    expect(sent?.url).toBe(PATH);
    expect(sent?.headers['api-key']).toBe('azure-fixture-api-key');
    expect(sent?.headers.authorization).toBeUndefined();
    await eventually(() =>
      expect(lastTokens(t.logs.lines)).toEqual({ input: 21, output: 7, source: 'upstream' }),
    );
    await eventually(() => {
      const events = readFileSync(auditFile, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { gatehouse?: { flags?: string[]; route?: { alias?: string } } });
      const ev = events.filter((e) => e.gatehouse?.route?.alias === 'azure-key').at(-1);
      expect(ev?.gatehouse?.flags).toEqual(
        expect.arrayContaining([
          'azure.content_filter.prompt.jailbreak:detected',
          'azure.content_filter.completion.violence:low',
        ]),
      );
    });
  });

  it('gets an Entra ID token by client credentials once and sends it as a bearer token', async () => {
    const client = t.client();
    await client.chat.completions.create({
      model: 'azure-entra',
      messages: [{ role: 'user', content: 'a' }],
    });
    await client.chat.completions.create({
      model: 'azure-entra',
      messages: [{ role: 'user', content: 'b' }],
    });
    expect(tokenRequests).toHaveLength(1);
    const form = new URLSearchParams(tokenRequests[0]?.raw);
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'client_credentials',
      client_id: 'client-5678',
      client_secret: 'entra-fixture-client-secret',
      scope: 'https://cognitiveservices.azure.com/.default',
    });
    const sent = fake.requests.at(-1);
    expect(sent?.headers.authorization).toBe('Bearer eyJ0eXAiOiJKV1Q.entra-fixture');
    expect(sent?.headers['api-key']).toBeUndefined();
    // The client secret appears in no log line.
    expect(t.logs.raw.some((l) => l.includes('entra-fixture-client-secret'))).toBe(false);
  });

  it('streams (the prompt-filter chunk included) and settles on the usage chunk', async () => {
    fake.handle((_r, res) => sendPieces(res, 'text/event-stream', fixture('azure/stream.sse')));
    const stream = await t.client().chat.completions.create({
      model: 'azure-key',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
    expect(text).toBe('Azure streams');
    expect(fake.requests.at(-1)?.json?.stream_options).toEqual({ include_usage: true });
    await eventually(() =>
      expect(lastTokens(t.logs.lines)).toEqual({ input: 12, output: 2, source: 'upstream' }),
    );
  });

  it("maps Azure's content_filter refusal to its own code, and 429 with retry-after-ms to retry-after", async () => {
    fake.handle((_r, res) => sendJson(res, 400, fixtureJson('azure/content-filter-400.json')));
    const post = () =>
      fetch(`${t.gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...t.authHeaders, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'azure-key', messages: [{ role: 'user', content: 'Hi' }] }),
      });
    const blocked = await post();
    expect(blocked.status).toBe(400);
    expect(((await blocked.json()) as { error: { code: string } }).error.code).toBe(
      'GH_ERR_PROVIDER_CONTENT_FILTER',
    );

    fake.handle((_r, res) =>
      sendJson(
        res,
        429,
        {
          error: {
            code: '429',
            message: 'Requests to the ChatCompletions_Create Operation have exceeded the token rate limit',
          },
        },
        {
          'retry-after-ms': '2500',
          'x-ratelimit-limit-requests': '100',
          'x-ratelimit-remaining-requests': '10',
        },
      ),
    );
    const limited = await post();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    await eventually(() =>
      expect(
        t.logs.lines.find((l) => l.alert === 'provider.quota_approaching' && l.route === 'azure-key'),
      ).toMatchObject({ dimension: 'requests', source: 'provider', used: 90, limit: 100 }),
    );
  });
});
