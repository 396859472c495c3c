import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadTokenCounter } from '../upstream/tokenizer.js';

/**
 * The built-in demo model: an OpenAI-compatible server on a loopback port that answers
 * deterministically, streams word by word, and reports usage. It lets `gatehouse start` work on a
 * fresh machine with no model, and it is the upstream the tests and benchmarks drive.
 */
export interface DemoUpstreamOptions {
  host?: string;
  port?: number;
  /** Delay before the answer starts (simulates model latency). */
  delayMs?: number;
  /** Delay between streamed chunks. */
  chunkDelayMs?: number;
  /** Whether streamed answers include usage when asked (vLLM does; some servers do not). */
  streamUsage?: boolean;
  /**
   * Test hook: called with each parsed request before the demo answers; return true when the hook
   * has answered (fault injection: resets, garbage, stalls).
   */
  intercept?: (
    req: IncomingMessage,
    body: Record<string, unknown>,
    res: ServerResponse,
  ) => boolean | Promise<boolean>;
}

export interface DemoUpstream {
  readonly url: string;
  readonly server: Server;
  /** Requests received, most recent last (body as parsed, headers as received). */
  readonly received: Array<{
    path: string;
    headers: IncomingMessage['headers'];
    body: Record<string, unknown>;
  }>;
  /** Number of requests whose client (the gateway) went away before the answer ended. */
  aborted: number;
  close(): Promise<void>;
}

export const DEMO_MODEL_ID = 'gatehouse-demo-2026-01-01';

function lastUserText(body: Record<string, unknown>): string {
  const msgs = body.messages as Array<{ role?: string; content?: unknown }> | undefined;
  if (Array.isArray(msgs)) {
    for (let i = msgs.length - 1; i >= 0; i--) {
      const c = msgs[i]?.content;
      if (msgs[i]?.role === 'user' && typeof c === 'string') return c;
    }
    return '';
  }
  return typeof body.prompt === 'string' ? body.prompt : '';
}

function promptText(body: Record<string, unknown>): string {
  const msgs = body.messages as Array<{ content?: unknown }> | undefined;
  if (Array.isArray(msgs))
    return msgs.map((m) => (typeof m.content === 'string' ? m.content : '')).join('\n');
  const p = body.prompt ?? body.input;
  return Array.isArray(p) ? p.join('\n') : String(p ?? '');
}

export function demoReply(body: Record<string, unknown>): string {
  const asked = lastUserText(body).replace(/\s+/g, ' ').trim().slice(0, 200);
  return `Hello from the Gatehouse demo model. It answers deterministically so you can try the gateway. You said: "${asked}"`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startDemoUpstream(opts: DemoUpstreamOptions = {}): Promise<DemoUpstream> {
  const count = await loadTokenCounter('o200k_base');
  const received: DemoUpstream['received'] = [];
  const state = { aborted: 0 };

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (req.method === 'GET' && path.endsWith('/models'))
      return json(res, 200, { object: 'list', data: [{ id: DEMO_MODEL_ID, object: 'model' }] });
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return json(res, 400, { error: { message: 'invalid json', type: 'invalid_request_error' } });
    }
    received.push({ path, headers: req.headers, body });
    res.on('close', () => {
      if (!res.writableFinished) state.aborted++;
    });
    if (opts.intercept && (await opts.intercept(req, body, res))) return;
    if (opts.delayMs) await sleep(opts.delayMs);
    if (path.endsWith('/embeddings')) return embeddings(res, body, count);
    const chat = path.endsWith('/chat/completions');
    const max =
      typeof body.max_tokens === 'number'
        ? body.max_tokens
        : typeof body.max_completion_tokens === 'number'
          ? body.max_completion_tokens
          : 256;
    const words = demoReply(body).split(' ');
    const kept: string[] = [];
    for (const w of words) {
      if (count([...kept, w].join(' ')) > max) break;
      kept.push(w);
    }
    const finish = kept.length < words.length ? 'length' : 'stop';
    const text = kept.join(' ');
    const usage = { prompt_tokens: count(promptText(body)), completion_tokens: count(text), total_tokens: 0 };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const id = `cmpl-demo-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
    const model = String(body.model);
    const created = 1_767_225_600;
    if (body.stream !== true) {
      const choice = chat
        ? { index: 0, message: { role: 'assistant', content: text }, finish_reason: finish }
        : { index: 0, text, finish_reason: finish, logprobs: null };
      return json(res, 200, {
        id,
        object: chat ? 'chat.completion' : 'text_completion',
        created,
        model,
        choices: [choice],
        usage,
      });
    }
    const wantUsage =
      opts.streamUsage !== false &&
      (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const object = chat ? 'chat.completion.chunk' : 'text_completion';
    const base = { id, object, created, model };
    const extra = wantUsage ? { usage: null } : {};
    const pieces = kept.map((w, i) => (i === 0 ? w : ` ${w}`));
    if (chat)
      res.write(
        `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }], ...extra })}\n\n`,
      );
    for (const p of pieces) {
      if (res.destroyed) return;
      const choice = chat
        ? { index: 0, delta: { content: p }, finish_reason: null }
        : { index: 0, text: p, finish_reason: null };
      res.write(`data: ${JSON.stringify({ ...base, choices: [choice], ...extra })}\n\n`);
      if (opts.chunkDelayMs) await sleep(opts.chunkDelayMs);
    }
    const last = chat
      ? { index: 0, delta: {}, finish_reason: finish }
      : { index: 0, text: '', finish_reason: finish };
    res.write(`data: ${JSON.stringify({ ...base, choices: [last], ...extra })}\n\n`);
    if (wantUsage) res.write(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`);
    res.end('data: [DONE]\n\n');
  };

  const server = createServer((req, res) => {
    handler(req, res).catch(() => res.destroy());
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', r));
  const a = server.address() as AddressInfo;
  return {
    url: `http://${a.address}:${a.port}/v1`,
    server,
    received,
    get aborted() {
      return state.aborted;
    },
    set aborted(v: number) {
      state.aborted = v;
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

function embeddings(res: ServerResponse, body: Record<string, unknown>, count: (t: string) => number): void {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  let tokens = 0;
  const data = inputs.map((inp, index) => {
    const s = typeof inp === 'string' ? inp : JSON.stringify(inp);
    tokens += typeof inp === 'string' ? count(inp) : Array.isArray(inp) ? inp.length : 1;
    const h = createHash('sha256').update(s).digest();
    const vec = Array.from(h.subarray(0, 16), (b) => (b - 128) / 128);
    const embedding =
      body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vec).buffer).toString('base64') : vec;
    return { object: 'embedding', index, embedding };
  });
  json(res, 200, {
    object: 'list',
    data,
    model: String(body.model),
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

function json(res: ServerResponse, status: number, obj: unknown): void {
  const s = JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) });
  res.end(s);
}
