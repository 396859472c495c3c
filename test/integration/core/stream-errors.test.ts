import { request } from 'node:http';
import OpenAI, { type APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAGES } from '../../../src/boot/stages.js';
import type { StageDef } from '../../../src/pipeline/registry.js';
import { demoRoute, eventually, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { type HostileUpstream, startHostileUpstream } from '../../helpers/hostile-upstream.js';

/**
 * Finding 10.10: a failure inside the stream loop is attributed to where it happened, with its own
 * code and log level: the upstream's (warn, an upstream code), the client's (499, no warn, no
 * error) or ours (GH_ERR_INTERNAL, logged at error with its stack, never sent to the client).
 */
let hostile: HostileUpstream;
let t: TestGateway;
const BUG = 'inspector bug: cannot read the third chunk';

// A stream inspector with a bug, on requests that ask for it (header), as a feature's would be.
const faultyInspector: StageDef = {
  name: 'test.faultyInspector',
  phase: 'inspectOutput',
  scope: 'route',
  create: () => (ctx) => {
    if (ctx.upstream?.stream == null || ctx.req.headers['x-test-faulty'] !== '1') return;
    let seen = 0;
    ctx.streamInspectors.push({
      onChunk(c) {
        if (++seen === 3) throw new TypeError(BUG);
        return [c];
      },
      onEnd: () => [],
    });
  },
};

beforeAll(async () => {
  hostile = await startHostileUpstream({ kind: 'ignores-max', tokens: 20 });
  t = await startTestGateway({
    // A budget the client hang-up comes well before.
    config: () => ({
      routes: [demoRoute(hostile.url, { caps: { maxOutputTokens: 1_000_000 } })],
      outputGuard: { enabled: false },
      limits: { enabled: false },
    }),
    start: { stages: [...STAGES, faultyInspector] },
  });
});
afterAll(async () => {
  await t?.close();
  await hostile?.close();
});

async function readStream(headers: Record<string, string> = {}): Promise<{ text: string; error: unknown }> {
  let text = '';
  try {
    const s = await t.client({ defaultHeaders: headers }).chat.completions.create({
      model: 'demo',
      stream: true,
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    });
    for await (const c of s) text += c.choices[0]?.delta?.content ?? '';
    return { text, error: null };
  } catch (error) {
    return { text, error };
  }
}

/** The log lines of one request (the request line gives its id). */
async function linesOf(code: string): Promise<Array<Record<string, unknown>>> {
  let id: unknown;
  await eventually(() => {
    id = t.logs.requests().findLast((l) => l.error_code === code)?.request_id;
    expect(id).toBeDefined();
  });
  return t.logs.lines.filter((l) => l.request_id === id);
}

describe('stream failures are attributed to where they happened', () => {
  it('an exception in a stream inspector is GH_ERR_INTERNAL: terminal event without details, logged with its stack', async () => {
    hostile.mode = { kind: 'ignores-max', tokens: 20 };
    const r = await readStream({ 'x-test-faulty': '1' });
    expect(r.error).toBeInstanceOf(OpenAI.APIError);
    const body = JSON.stringify((r.error as APIError).error);
    expect(body).toContain('GH_ERR_INTERNAL');
    expect(body).not.toContain('inspector bug');
    expect(body).not.toContain('.ts:');
    const lines = await linesOf('GH_ERR_INTERNAL');
    const internal = lines.find((l) => l.msg === 'internal error');
    expect(internal?.level).toBe(50);
    const err = internal?.err as { message?: string; stack?: string } | undefined;
    expect(err?.message).toBe(BUG);
    expect(err?.stack).toContain('TypeError');
    // Not mistaken for the upstream's failure.
    expect(lines.some((l) => l.msg === 'upstream failure')).toBe(false);
  });

  it('a socket reset mid-stream is the upstream’s: GH_ERR_UPSTREAM_RESET, logged at warn', async () => {
    hostile.mode = { kind: 'reset', deltas: 3 };
    const r = await readStream();
    expect(r.text.trim().split(' ')).toHaveLength(3);
    expect(JSON.stringify((r.error as APIError).error)).toContain('GH_ERR_UPSTREAM_RESET');
    const lines = await linesOf('GH_ERR_UPSTREAM_RESET');
    const warn = lines.find((l) => l.msg === 'upstream failure');
    expect(warn?.level).toBe(40);
    expect(warn?.error_code).toBe('GH_ERR_UPSTREAM_RESET');
    expect(lines.some((l) => l.level === 50)).toBe(false);
  });

  it('malformed SSE is the upstream’s: GH_ERR_UPSTREAM_BAD_RESPONSE, logged at warn', async () => {
    hostile.mode = { kind: 'malformed' };
    const r = await readStream();
    expect(JSON.stringify((r.error as APIError).error)).toContain('GH_ERR_UPSTREAM_BAD_RESPONSE');
    const lines = await linesOf('GH_ERR_UPSTREAM_BAD_RESPONSE');
    expect(lines.find((l) => l.msg === 'upstream failure')?.level).toBe(40);
    expect(lines.some((l) => l.level === 50)).toBe(false);
  });

  it('a client that hangs up mid-stream is a client abort: 499, upstream aborted, no warn, no error', async () => {
    hostile.mode = { kind: 'endless', totalBytes: 24 * 1_048_576 };
    const before = hostile.requests.length;
    const url = new URL(`${t.gw.url}/v1/chat/completions`);
    await new Promise<void>((resolve, reject) => {
      const req = request(
        url,
        { method: 'POST', headers: { 'content-type': 'application/json', ...t.authHeaders } },
        (res) => {
          res.once('data', () => {
            // Broken pipe: the socket goes away while the gateway is still writing.
            req.destroy();
            resolve();
          });
        },
      );
      req.on('error', () => {});
      req.once('error', reject);
      req.end(
        JSON.stringify({
          model: 'demo',
          stream: true,
          max_tokens: 1_000_000,
          messages: [{ role: 'user', content: 'hi' }],
        }),
      );
    });
    await eventually(() => expect(hostile.requests.length).toBe(before + 1));
    await hostile.last().closed;
    expect(hostile.last().aborted).toBe(true);
    const lines = await linesOf('GH_ERR_CLIENT_CLOSED');
    expect(lines.find((l) => l.event === 'request')?.status).toBe(499);
    expect(lines.some((l) => (l.level as number) >= 40)).toBe(false);
  });
});
