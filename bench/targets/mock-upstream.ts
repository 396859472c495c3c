import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { flag, ready } from '../lib/child.js';
import { mockToken } from '../lib/mock-tokens.js';

/**
 * A fast OpenAI-compatible upstream for the benchmark: every answer is precomputed so the mock's own
 * CPU stays small next to the proxies it serves. Not the demo model: its tokenizer work would
 * dominate a throughput run. `--delay MS` holds each answer (simulated model time), `--jitter MS`
 * spreads it.
 */
const delayMs = Number(flag('delay', '0'));
/**
 * Spread of the delay (uniform, centred on --delay). With one fixed delay, closed-loop connections
 * stay phase-locked: all answers come back in one burst that a proxy must drain in series, and the
 * added latency measures the burst, not the proxy.
 */
const jitterMs = Number(flag('jitter', '0'));
const words = Number(flag('words', '16'));
/**
 * `--pace MS`: a model that generates as it goes: the role event at once, then each token `MS`
 * after the previous one (the first one too), for time-to-first-token and per-token delay.
 */
const paceMs = Number(flag('pace', '0'));

const MODEL = 'mock-model-2026-01-01';
const created = 1_767_225_600;
/**
 * Tokens as a BPE model streams them: a leading blank, and every fourth one closing its word with a
 * comma ("word0", " word1", " word2", " word3,", ...), so a paced run shows both kinds of token end.
 */
const pieces = Array.from({ length: words }, (_, i) => mockToken(i));
const text = pieces.join('');
const usage = { prompt_tokens: 12, completion_tokens: words, total_tokens: 12 + words };

const JSON_BODY = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created,
  model: MODEL,
  choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
  usage,
});
const JSON_HEADERS = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(JSON_BODY) };

const sse = (o: object) => `data: ${JSON.stringify(o)}\n\n`;
const base = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created, model: MODEL };
const EVENTS = [
  sse({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }),
  ...pieces.map((p) => sse({ ...base, choices: [{ index: 0, delta: { content: p }, finish_reason: null }] })),
  sse({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
];
const USAGE_EVENT = sse({ ...base, choices: [], usage });
const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };

function answer(res: ServerResponse, stream: boolean, withUsage: boolean): void {
  if (!stream) {
    res.writeHead(200, JSON_HEADERS);
    res.end(JSON_BODY);
    return;
  }
  res.writeHead(200, SSE_HEADERS);
  if (paceMs > 0) {
    paced(res, withUsage);
    return;
  }
  // One write per event, as a model server flushes each token.
  for (const e of EVENTS) res.write(e);
  if (withUsage) res.write(USAGE_EVENT);
  res.end('data: [DONE]\n\n');
}

function paced(res: ServerResponse, withUsage: boolean): void {
  let i = 0;
  const next = (): void => {
    if (res.destroyed) return;
    const e = EVENTS[i++];
    if (e === undefined) {
      if (withUsage) res.write(USAGE_EVENT);
      res.end('data: [DONE]\n\n');
      return;
    }
    res.write(e);
    // The role event goes out with the headers; every token (and the finish event) one pace later.
    setTimeout(next, paceMs);
  };
  next();
}

const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    // Substring checks instead of JSON.parse: the bench controls the request bodies.
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    const stream = body.includes('"stream":true');
    const withUsage = body.includes('"include_usage":true');
    if (delayMs > 0) setTimeout(answer, delayMs + (Math.random() - 0.5) * jitterMs, res, stream, withUsage);
    else answer(res, stream, withUsage);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const a = server.address() as AddressInfo;
  ready(`http://127.0.0.1:${a.port}`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
