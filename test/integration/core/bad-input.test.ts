import { connect } from 'node:net';
import OpenAI, { type APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTokenCounter } from '../../../src/upstream/tokenizer.js';
import { demoRoute, eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';

let t: TestGateway;
const url = () => `${t.gw.url}/v1/chat/completions`;
const chat = (content: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: 'demo', messages: [{ role: 'user', content }], ...extra });

async function post(body: string | Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(url(), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...t.authHeaders, ...headers },
    body,
  });
  const text = await res.text();
  return {
    status: res.status,
    body: JSON.parse(text) as { error: { code: string; message: string; request_id: string; type: string } },
    headers: res.headers,
  };
}

/** Sends raw bytes over a socket and returns everything the server wrote back. */
function raw(payload: string[], gapMs = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    const u = new URL(t.gw.url);
    const s = connect(Number(u.port), u.hostname);
    let out = '';
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('close', () => resolve(out));
    s.on('error', reject);
    s.on('connect', async () => {
      for (const p of payload) {
        if (s.destroyed) break;
        s.write(p);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}

beforeAll(async () => {
  t = await startTestGateway({
    config: (u) => ({
      server: { maxBodyBytes: 4096, maxJsonDepth: 8, bodyTimeoutMs: 300 },
      routes: [demoRoute(u, { caps: { maxInputTokens: 50, maxOutputTokens: 64, maxN: 2 } })],
    }),
  });
});
afterAll(async () => {
  await t.close();
});

describe('bad input gets a 400-class error in the documented shape', () => {
  it.each([
    ['malformed JSON', '{"model":"demo",', 400, 'GH_ERR_INVALID_JSON'],
    [
      'prototype pollution key',
      '{"model":"demo","messages":[{"role":"user","content":"x","__proto__":{"admin":true}}]}',
      400,
      'GH_ERR_FORBIDDEN_KEY',
    ],
    [
      'constructor key',
      '{"model":"demo","constructor":{"prototype":{}},"messages":[{"role":"user","content":"x"}]}',
      400,
      'GH_ERR_FORBIDDEN_KEY',
    ],
    [
      'excessive nesting',
      `{"model":"demo","messages":[{"role":"user","content":"x"}],"x":${'['.repeat(20)}${']'.repeat(20)}}`,
      400,
      'GH_ERR_TOO_DEEP',
    ],
    ['wrong types', '{"model":"demo","messages":"hello"}', 400, 'GH_ERR_SCHEMA'],
    ['bad role', '{"model":"demo","messages":[{"role":"root","content":"x"}]}', 400, 'GH_ERR_SCHEMA'],
    ['not an object', '[1,2,3]', 400, 'GH_ERR_SCHEMA'],
    ['unknown alias', chat('x').replace('"demo"', '"gpt-9"'), 404, 'GH_ERR_UNKNOWN_MODEL'],
    ['over-cap prompt', chat('word '.repeat(200)), 400, 'GH_ERR_INPUT_TOKENS'],
    ['n over the cap', chat('x', { n: 3 }), 400, 'GH_ERR_N_TOO_LARGE'],
  ])('%s', async (_name, body, status, code) => {
    const before = t.upstream.received.length;
    const r = await post(body);
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(code);
    expect(r.body.error.request_id).toBe(r.headers.get('x-request-id'));
    expect(r.body.error.message).not.toMatch(/at .*\.ts|Error:|stack/);
    expect(t.upstream.received.length).toBe(before);
  });

  it('invalid UTF-8', async () => {
    const bad = Buffer.concat([
      Buffer.from('{"model":"demo","messages":[{"role":"user","content":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}]}'),
    ]);
    const r = await post(bad);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('GH_ERR_INVALID_UTF8');
  });

  it('wrong content type', async () => {
    const r = await post(chat('x'), { 'content-type': 'text/plain' });
    expect(r.status).toBe(415);
    expect(r.body.error.code).toBe('GH_ERR_UNSUPPORTED_MEDIA_TYPE');
  });

  it('oversized body with a declared length is refused before it is read', async () => {
    const r = await post(chat('x'.repeat(5000)));
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('GH_ERR_BODY_TOO_LARGE');
  });

  it('oversized chunked body is refused while reading, before the end arrives', async () => {
    const head = `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${t.key}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n`;
    const chunk = `1000\r\n${'a'.repeat(4096)}\r\n`;
    // Never sends the terminating chunk: the answer must come from the cap, not from the end of the body.
    const out = await raw([head, chunk, chunk, chunk]);
    expect(out).toMatch(/^HTTP\/1\.1 413/);
    expect(out).toContain('GH_ERR_BODY_TOO_LARGE');
  });

  it('slow body (slowloris) times out with its own code', async () => {
    const body = chat('x');
    const head = `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${t.key}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`;
    const out = await raw([head, ...body.slice(0, 20).split('')], 100);
    expect(out).toMatch(/^HTTP\/1\.1 408/);
    expect(out).toContain('GH_ERR_BODY_TIMEOUT');
  });

  it('max_tokens above the cap is clamped, absent is injected', async () => {
    await post(chat('x', { max_tokens: 10_000 }));
    expect(t.upstream.received.at(-1)!.body.max_tokens).toBe(64);
    await post(chat('x', { max_completion_tokens: 10_000 }));
    expect(t.upstream.received.at(-1)!.body.max_completion_tokens).toBe(64);
  });

  it('unknown path and wrong method', async () => {
    const a = await fetch(`${t.gw.url}/admin`, { headers: t.authHeaders });
    expect(a.status).toBe(404);
    expect(((await a.json()) as { error: { code: string } }).error.code).toBe('GH_ERR_NOT_FOUND');
    const b = await fetch(url(), { headers: t.authHeaders });
    expect(b.status).toBe(405);
    expect(b.headers.get('allow')).toBe('POST');
  });

  it('a special-token string in the prompt is counted as text, not a crash', async () => {
    // The tokenizer throws on special-token text by default; the gateway must count it as text.
    const count = await loadTokenCounter('o200k_base');
    expect(count('<|endoftext|> hi')).toBeGreaterThan(2);
    const r = await post(chat('<|endoftext|> hi'));
    // The input guard treats a chat-template token in user text as an injection attempt: a
    // documented refusal, never an internal error.
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('GH_ERR_GUARD_INJECTION');
  });

  it('logs every refusal with its code and request id', async () => {
    const r = await post('{"model":"demo",');
    await eventually(() => {
      const line = t.logs.requests().find((l) => l.request_id === r.body.error.request_id);
      expect(line?.error_code).toBe('GH_ERR_INVALID_JSON');
      expect(line?.status).toBe(400);
    });
  });

  it('the openai client sees an over-cap prompt as a BadRequestError', async () => {
    const err = await t
      .client()
      .chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'word '.repeat(200) }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as APIError).code).toBe('GH_ERR_INPUT_TOKENS');
  });
});
