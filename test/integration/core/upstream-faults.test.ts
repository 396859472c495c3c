import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import OpenAI, { type APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRoute, eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';

type Fault = (
  req: IncomingMessage,
  body: Record<string, unknown>,
  res: ServerResponse,
) => void | Promise<void>;
let fault: Fault | null = null;
let t: TestGateway;

const sse = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream' });
const chunk = (content: string) =>
  `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;

beforeAll(async () => {
  t = await startTestGateway({
    upstream: {
      chunkDelayMs: 5,
      intercept: async (req, body, res) => {
        const f = fault;
        if (f === null) return false;
        await f(req, body, res);
        return true;
      },
    },
    config: (u) => ({
      routes: [demoRoute(u, { timeouts: { connectMs: 500, firstByteMs: 300, idleMs: 300, totalMs: 1_500 } })],
      // Transport faults only: with output guardrails on, text still held back when a stream fails is
      // never released (that behaviour is tested in test/integration/guard-output).
      outputGuard: { enabled: false },
    }),
  });
});
afterAll(async () => {
  await t.close();
});

async function errorOf(p: Promise<unknown>): Promise<APIError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(OpenAI.APIError);
  return e as APIError;
}

const ask = (stream = false) =>
  t.client().chat.completions.create({
    model: 'demo',
    stream,
    messages: [{ role: 'user', content: 'hello there' }],
  } as never);

/** Reads a stream through the official client and returns the text and the error that ended it. */
async function readStream(): Promise<{ text: string; error: unknown }> {
  let text = '';
  try {
    const s = (await ask(true)) as unknown as AsyncIterable<OpenAI.ChatCompletionChunk>;
    for await (const c of s) text += c.choices[0]?.delta?.content ?? '';
    return { text, error: null };
  } catch (error) {
    return { text, error };
  }
}

describe('upstream failures', () => {
  it('client disconnect mid-stream aborts the upstream request at once', async () => {
    fault = null;
    const before = t.upstream.aborted;
    const res = await fetch(`${t.gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...t.authHeaders },
      body: JSON.stringify({
        model: 'demo',
        stream: true,
        messages: [{ role: 'user', content: 'a long answer please '.repeat(5) }],
      }),
    });
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    await eventually(() => expect(t.upstream.aborted).toBe(before + 1));
    await eventually(() => {
      const line = t.logs.requests().find((l) => l.status === 499);
      expect(line?.error_code).toBe('GH_ERR_CLIENT_CLOSED');
      expect(line?.usage_source).toBe('counted');
    });
  });

  it('no first byte in time: 504 with its own code, upstream aborted', async () => {
    fault = () => new Promise(() => {});
    const before = t.upstream.aborted;
    const e = await errorOf(ask());
    expect(e.status).toBe(504);
    expect(e.code).toBe('GH_ERR_UPSTREAM_FIRST_BYTE_TIMEOUT');
    await eventually(() => expect(t.upstream.aborted).toBe(before + 1));
  });

  it('idle gap mid-stream: terminal SSE error event with its own code', async () => {
    fault = (_q, _b, res) => {
      sse(res);
      res.write(chunk('partial'));
    };
    const { text, error } = await readStream();
    expect(text).toBe('partial');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(JSON.stringify((error as APIError).error)).toContain('GH_ERR_UPSTREAM_IDLE_TIMEOUT');
  });

  it('total timeout on a slow trickle', async () => {
    fault = async (_q, _b, res) => {
      sse(res);
      for (let i = 0; i < 40 && !res.destroyed; i++) {
        res.write(chunk('.'));
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const { error } = await readStream();
    expect(JSON.stringify((error as APIError).error)).toContain('GH_ERR_UPSTREAM_TOTAL_TIMEOUT');
  });

  it('upstream reset mid-stream: terminal error, not a hang', async () => {
    fault = (_q, _b, res) => {
      sse(res);
      res.write(chunk('half'));
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const { text, error } = await readStream();
    expect(text).toBe('half');
    expect(JSON.stringify((error as APIError).error)).toContain('GH_ERR_UPSTREAM_RESET');
  });

  it('garbage in the stream: terminal bad-response error', async () => {
    fault = (_q, _b, res) => {
      sse(res);
      res.write(chunk('ok'));
      res.end('data: {not json at all\n\n');
    };
    const { error } = await readStream();
    expect(JSON.stringify((error as APIError).error)).toContain('GH_ERR_UPSTREAM_BAD_RESPONSE');
  });

  it('garbage instead of JSON: 502 bad response', async () => {
    fault = (_q, _b, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>oops</html>');
    };
    const e = await errorOf(ask());
    expect(e.status).toBe(502);
    expect(e.code).toBe('GH_ERR_UPSTREAM_BAD_RESPONSE');
  });

  it('upstream 5xx: 502 without its body', async () => {
    fault = (_q, _b, res) => {
      res.writeHead(500, { 'content-type': 'application/json', server: 'vllm/0.6.3' });
      res.end('{"error":{"message":"CUDA out of memory at /opt/vllm/worker.py"}}');
    };
    const e = await errorOf(ask());
    expect(e.status).toBe(502);
    expect(e.code).toBe('GH_ERR_UPSTREAM_ERROR');
    expect(JSON.stringify(e.error)).not.toContain('CUDA');
    expect(e.headers?.get('server')).toBeNull();
  });

  it('upstream 429 passes retry-after', async () => {
    fault = (_q, _b, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
      res.end('{}');
    };
    const e = await errorOf(ask());
    expect(e.status).toBe(429);
    expect(e.code).toBe('GH_ERR_UPSTREAM_RATE_LIMITED');
    expect(e.headers?.get('retry-after')).toBe('7');
  });

  it('a stream without upstream usage is settled from counted tokens', async () => {
    fault = (_q, _b, res) => {
      sse(res);
      res.write(chunk('one two three four'));
      res.end('data: [DONE]\n\n');
    };
    const { text, error } = await readStream();
    expect(error).toBeNull();
    expect(text).toBe('one two three four');
    await eventually(() => {
      const line = t.logs.requests().at(-1)!;
      expect(line.usage_source).toBe('counted');
      expect(line.output_tokens).toBe(4);
    });
  });

  it('an unreachable upstream is a 502 unavailable', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const dead = await startTestGateway({
      config: () => ({ routes: [demoRoute(`http://127.0.0.1:${port}/v1`)] }),
    });
    try {
      const e = await errorOf(
        dead.client().chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'x' }] }),
      );
      expect(e.status).toBe(502);
      expect(e.code).toBe('GH_ERR_UPSTREAM_UNAVAILABLE');
    } finally {
      await dead.close();
    }
  });
});
