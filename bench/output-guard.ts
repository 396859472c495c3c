/**
 * Issue 6's benchmark: the cost of the output guardrails on streams, in one run, against the same
 * gateway with them off. Two gateway processes (output guard on / off) front one scripted upstream
 * process that streams a ~300-word answer word by word; the client is this process. Rounds alternate
 * so machine drift hits both alike.
 *
 *   npx tsx bench/output-guard.ts [--rounds 4] [--ttft 800] [--duration 3] [--connections 16]
 *                                 [--gap 0] [--sentences 10]
 *
 * - TTFT: sequential streamed requests, alternating on / off; time from sending the request to the
 *   first content byte. The added TTFT is p99(on) - p99(off). `--gap MS` paces the upstream (ms
 *   between words): the guard holds each word until the next one shows it ended, so on a paced
 *   upstream the added TTFT is about one gap (docs/output-guardrails.md).
 * - Throughput: `--connections` concurrent streams for `--duration` seconds; completed streams per
 *   second, on / off, and the gateway process's CPU time per stream (from the scheduler).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino from 'pino';
import { Agent, request } from 'undici';
import { startGateway } from '../src/boot/gateway.js';
import { parseConfig } from '../src/config/load.js';
import { startDemoUpstream } from '../src/demo/upstream.js';
import { demoApiKey } from '../src/edge/auth/demo.js';
import { buildBenchScript } from './lib/build.js';
import { flag, ready } from './lib/child.js';
import { killStarted, type Proc, startNode } from './lib/procs.js';

function opt(name: string, fallback: number): number {
  return Number(flag(name, String(fallback)));
}
const ROUNDS = opt('rounds', 4);
const TTFT_N = opt('ttft', 800);
const DURATION_S = opt('duration', 3);
const CONNECTIONS = opt('connections', 16);
const GAP_MS = opt('gap', 0);
const SENTENCES = opt('sentences', 10);

// An ordinary answer: prose, numbers, a date, code-ish tokens; nothing the guard rewrites.
const SENTENCE =
  'The gateway checks every answer before release, and on 12 March 2026 it handled 4,210 requests per minute with a median latency of 38 ms; config lives in gatehouse.yaml under outputGuard. ';
// Split like a model tokenizer: the space opens the next token (" gateway"), it does not close this one.
const WORDS = SENTENCE.repeat(SENTENCES).split(/(?= )/);

const base = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1, model: 'm' };
const ev = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function answer(
  _q: IncomingMessage,
  _b: Record<string, unknown>,
  res: ServerResponse,
): Promise<boolean> {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(
    ev({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }),
  );
  for (const w of WORDS) {
    if (res.destroyed) return true;
    res.write(ev({ ...base, choices: [{ index: 0, delta: { content: w }, finish_reason: null }] }));
    if (GAP_MS > 0) await sleep(GAP_MS);
  }
  res.write(ev({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
  res.write(
    ev({ ...base, choices: [], usage: { prompt_tokens: 20, completion_tokens: 400, total_tokens: 420 } }),
  );
  res.end('data: [DONE]\n\n');
  return true;
}

async function child(kind: string): Promise<void> {
  if (kind === 'upstream') {
    const up = await startDemoUpstream({ intercept: answer });
    ready(up.url);
    return;
  }
  const config = parseConfig({
    server: { host: '127.0.0.1', port: 0, allowPlaintext: true },
    health: { port: 0 },
    metrics: { port: 0 },
    routes: [
      {
        alias: 'bench',
        endpoints: ['chat'],
        upstream: { provider: 'openai', url: flag('upstream', ''), model: 'bench-2026-01-01' },
      },
    ],
    limits: { enabled: false },
    auth: JSON.parse(flag('auth', '{}')),
    outputGuard: { enabled: flag('guard', 'on') === 'on' },
  });
  const gw = await startGateway(config, { logger: pino({ level: 'silent' }) });
  ready(gw.url);
}

const BODY = JSON.stringify({
  model: 'bench',
  stream: true,
  messages: [
    {
      role: 'system',
      content: 'You are the documentation assistant of Gatehouse. Answer briefly and precisely.',
    },
    { role: 'user', content: 'How fast is the gateway?' },
  ],
});

const agent = new Agent({ connections: 256, keepAliveTimeout: 30_000 });
// One demo consumer for both gateways (authentication stays on, as in production).
const demo = demoApiKey('bench');
const HEADERS = { 'content-type': 'application/json', authorization: `Bearer ${demo.key}` };

/** One streamed request: ms to the first content byte, and whether the stream completed. */
async function once(url: string): Promise<{ ttft: number; ok: boolean }> {
  try {
    return await attempt(url);
  } catch {
    // A connection reset under load counts as a failed stream, not a crash of the bench.
    return { ttft: -1, ok: false };
  }
}

async function attempt(url: string): Promise<{ ttft: number; ok: boolean }> {
  const t0 = performance.now();
  const res = await request(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: HEADERS,
    body: BODY,
    dispatcher: agent,
  });
  let ttft = -1;
  let tail = '';
  for await (const c of res.body) {
    const s = (c as Buffer).toString('utf8');
    if (ttft < 0 && /"content":"[^"]/.test(s)) ttft = performance.now() - t0;
    tail = (tail + s).slice(-64);
  }
  return { ttft, ok: res.statusCode === 200 && tail.includes('[DONE]') };
}

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function throughput(url: string): Promise<number> {
  const end = performance.now() + DURATION_S * 1000;
  let done = 0;
  const worker = async () => {
    while (performance.now() < end) if ((await once(url)).ok) done++;
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return done;
}

/**
 * Compiles src/ (bench/lib/build.ts, as issue 2's bench does) and this file, so the measured
 * processes run plain JS as in production, not under tsx's loader and its `__name()` wrappers.
 */
function build(): string {
  return buildBenchScript(import.meta.url, 'bench-output-guard', null);
}

async function main(): Promise<void> {
  const self = build();
  const tsx: string[] = [];
  const auth = ['--auth', JSON.stringify(demo.auth)];
  const upstream = await startNode(
    self,
    ['--child', 'upstream', '--gap', String(GAP_MS), '--sentences', String(SENTENCES)],
    tsx,
  );
  const gws: Record<'on' | 'off', Proc> = {
    on: await startNode(
      self,
      ['--child', 'gateway', '--guard', 'on', '--upstream', upstream.url, ...auth],
      tsx,
    ),
    off: await startNode(
      self,
      ['--child', 'gateway', '--guard', 'off', '--upstream', upstream.url, ...auth],
      tsx,
    ),
  };
  const ttft = { on: [] as number[], off: [] as number[] };
  const rate = { on: [] as number[], off: [] as number[] };
  const cpu = { on: [] as number[], off: [] as number[] };
  for (let i = 0; i < 50; i++) {
    const w = await Promise.all([once(gws.on.url), once(gws.off.url)]); // warm-up
    if (!w[0].ok || !w[1].ok) throw new Error('a gateway does not answer the bench request');
  }
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
    // Alternate request by request, so load from elsewhere on the machine hits both alike.
    for (let i = 0; i < TTFT_N / ROUNDS; i++)
      for (const k of order) ttft[k].push((await once(gws[k].url)).ttft);
    for (const k of order) {
      const c0 = gws[k].cpuMicros();
      const n = await throughput(gws[k].url);
      cpu[k].push((gws[k].cpuMicros() - c0) / 1000 / n);
      rate[k].push(n / DURATION_S);
    }
  }
  const row = (k: 'on' | 'off') =>
    `| ${k} | ${q(ttft[k], 0.5).toFixed(2)} | ${q(ttft[k], 0.99).toFixed(2)} | ${mean(rate[k]).toFixed(1)} | ${mean(cpu[k]).toFixed(2)} |`;
  const added = q(ttft.on, 0.99) - q(ttft.off, 0.99);
  const ratio = mean(rate.on) / mean(rate.off);
  // On a CPU-bound gateway, capacity is inverse to CPU per stream: the steadier measure on a busy machine.
  const cpuRatio = mean(cpu.off) / mean(cpu.on);
  process.stdout.write(
    [
      `output guard bench: ${WORDS.length} words per answer, gap ${GAP_MS} ms, ${ROUNDS} rounds, ${TTFT_N} TTFT samples each, ${CONNECTIONS} connections x ${DURATION_S}s per throughput round`,
      '',
      '| output guard | TTFT p50 ms | TTFT p99 ms | streams/s | gateway CPU ms per stream |',
      '|---|---:|---:|---:|---:|',
      row('off'),
      row('on'),
      '',
      `added TTFT p99: ${added.toFixed(2)} ms (target < 5 ms): ${added < 5 ? 'PASS' : 'FAIL'}`,
      `throughput on/off: ${(ratio * 100).toFixed(1)}% measured, ${(cpuRatio * 100).toFixed(1)}% by gateway CPU per stream (target >= 70%): ${ratio >= 0.7 ? 'PASS' : 'FAIL'} / ${cpuRatio >= 0.7 ? 'PASS' : 'FAIL'}`,
      '',
    ].join('\n'),
  );
  await agent.close();
  for (const p of [gws.on, gws.off, upstream]) await p.stop();
}

const kind = flag('child', '');
if (kind !== '') {
  // A clean exit on SIGINT, so `--cpu-prof` can write its profile.
  process.once('SIGINT', () => process.exit(0));
  void child(kind);
} else
  main().catch((err) => {
    killStarted();
    throw err;
  });
