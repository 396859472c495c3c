import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import OpenAI, { type APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MODEL_ID } from '../../../src/demo/upstream.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t.close();
});

describe('official openai client through the gateway', () => {
  it('chat completion: answer, alias as model, pinned id upstream, max_tokens injected', async () => {
    const r = await t
      .client()
      .chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'Hello' }] });
    expect(r.choices[0]?.message.content).toContain('You said: "Hello"');
    expect(r.model).toBe('demo');
    expect(r.usage?.completion_tokens).toBeGreaterThan(0);
    const sent = t.upstream.received.at(-1)!;
    expect(sent.body.model).toBe(DEMO_MODEL_ID);
    expect(sent.body.max_tokens).toBe(1024);
  });

  it('streamed chat: chunks in order, usage stripped when not asked, requested upstream', async () => {
    const stream = await t.client().chat.completions.create({
      model: 'demo',
      stream: true,
      messages: [{ role: 'user', content: 'stream please' }],
    });
    let text = '';
    let chunks = 0;
    let sawUsage = false;
    for await (const c of stream) {
      chunks++;
      text += c.choices[0]?.delta?.content ?? '';
      if (c.usage) sawUsage = true;
      expect(c.model).toBe('demo');
    }
    expect(chunks).toBeGreaterThan(5);
    expect(text).toContain('You said: "stream please"');
    expect(sawUsage).toBe(false);
    expect(t.upstream.received.at(-1)!.body.stream_options).toEqual({ include_usage: true });
  });

  it('streamed chat with include_usage: the usage chunk reaches the consumer', async () => {
    const stream = await t.client().chat.completions.create({
      model: 'demo',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'count me' }],
    });
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const c of stream) if (c.usage) usage = c.usage;
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    expect(usage?.prompt_tokens).toBeGreaterThan(0);
  });

  it('completions, plain and streamed', async () => {
    const r = await t.client().completions.create({ model: 'demo', prompt: 'Say hi', max_tokens: 5 });
    expect(r.choices[0]?.finish_reason).toBe('length');
    expect(t.upstream.received.at(-1)!.body.max_tokens).toBe(5);
    const s = await t.client().completions.create({ model: 'demo', prompt: 'Say hi', stream: true });
    let text = '';
    for await (const c of s) text += c.choices[0]?.text ?? '';
    expect(text).toContain('Say hi');
  });

  it('embeddings', async () => {
    const r = await t.client().embeddings.create({ model: 'demo', input: ['a', 'b'] });
    expect(r.data).toHaveLength(2);
    expect(r.data[0]?.embedding).toHaveLength(16);
  });

  it('models lists the aliases, never pinned ids', async () => {
    const list = await t.client().models.list();
    const ids = list.data.map((m) => m.id);
    expect(ids).toEqual(['demo']);
    expect(JSON.stringify(list.data)).not.toContain(DEMO_MODEL_ID);
  });

  it('errors surface as APIError with our code and request id', async () => {
    const err = await t
      .client()
      .chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    const e = err as APIError;
    expect(e.status).toBe(404);
    expect(e.code).toBe('GH_ERR_UNKNOWN_MODEL');
    expect(e.requestID).toMatch(/^req_[0-9a-f]{24}$/);
    expect((e.error as { request_id?: string }).request_id).toBe(e.requestID);
  });

  it('propagates request id and a continued W3C trace upstream and into the log', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await fetch(`${t.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...t.authHeaders,
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      },
      body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'trace' }] }),
    });
    expect(res.status).toBe(200);
    const rid = res.headers.get('x-request-id')!;
    const sent = t.upstream.received.at(-1)!;
    expect(sent.headers['x-request-id']).toBe(rid);
    expect(sent.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(sent.headers.traceparent).not.toContain('00f067aa0ba902b7');
    const line = t.logs.requests().find((l) => l.request_id === rid);
    expect(line?.trace_id).toBe(traceId);
  });

  it('starts a new trace when traceparent is invalid, and never forwards consumer credentials', async () => {
    const res = await fetch(`${t.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
        ...t.authHeaders,
        cookie: 'session=abc',
        'x-forwarded-for': '1.2.3.4',
      },
      body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'trace' }] }),
    });
    expect(res.status).toBe(200);
    const sent = t.upstream.received.at(-1)!;
    expect(sent.headers.traceparent).not.toContain('00000000000000000000000000000000');
    expect(sent.headers.authorization).toBeUndefined();
    expect(JSON.stringify(sent.headers)).not.toContain(t.key!);
    // The upstream gets the authenticated identity, signed by the gateway, instead; it verifies it
    // with the public keys the health listener serves.
    const jwks = (await (
      await fetch(`${t.gw.healthUrl}/.well-known/gatehouse-jwks.json`)
    ).json()) as JSONWebKeySet;
    const { payload } = await compactVerify(
      String(sent.headers['x-gatehouse-identity']),
      createLocalJWKSet(jwks),
    );
    expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({
      sub: 'demo',
      gh_method: 'api_key',
    });
    expect(sent.headers.cookie).toBeUndefined();
    expect(sent.headers['x-forwarded-for']).toBeUndefined();
    expect(t.logs.raw.join('\n')).not.toContain(t.key!);
  });
});
