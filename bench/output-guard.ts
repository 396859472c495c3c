/**
 * Issue 6's benchmark: the cost of the output guardrails on streams, in one run, against the same
 * gateway with them off. Two gateways (output guard on / off) front one scripted upstream that
 * streams a ~300-word answer word by word; rounds alternate so machine drift hits both alike.
 *
 *   npx tsx bench/output-guard.ts [--rounds 5] [--ttft 200] [--duration 4] [--connections 16] [--gap 0]
 *
 * - TTFT: sequential streamed requests, alternating on / off; time from sending the request to the
 *   first content byte. The added TTFT is p99(on) - p99(off). `--gap MS` paces the upstream (ms between words): with a
 *   gap, the guard holds the first word until the next one shows it is complete (see the doc).
 * - Throughput: `--connections` concurrent streams for `--duration` seconds; completed streams per
 *   second, on / off.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino from 'pino';
import { Agent, request } from 'undici';
import { parseConfig } from '../src/config/load.js';
import { startDemoUpstream } from '../src/demo/upstream.js';
import { type Gateway, startGateway } from '../src/gateway.js';

function opt(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i !== -1 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}
const ROUNDS = opt('rounds', 5);
const TTFT_N = opt('ttft', 200);
const DURATION_S = opt('duration', 4);
const CONNECTIONS = opt('connections', 16);
const GAP_MS = opt('gap', 0);

// An ordinary answer: prose, numbers, a date, code-ish tokens; nothing the guard rewrites.
const SENTENCE =
  'The gateway checks every answer before release, and on 12 March 2026 it handled 4,210 requests per minute with a median latency of 38 ms; config lives in gatehouse.yaml under outputGuard. ';
const WORDS = SENTENCE.repeat(10).split(/(?<= )/);

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

async function gateway(url: string, guard: boolean): Promise<Gateway> {
  const config = parseConfig({
    server: { host: '127.0.0.1', port: 0, allowPlaintext: true },
    health: { port: 0 },
    metrics: { port: 0 },
    routes: [
      {
        alias: 'bench',
        endpoints: ['chat'],
        upstream: { provider: 'openai', url, model: 'bench-2026-01-01' },
      },
    ],
    limits: { enabled: false },
    outputGuard: { enabled: guard },
  });
  return startGateway(config, { logger: pino({ level: 'silent' }) });
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

/** One streamed request: ms to the first content byte, and whether the stream completed. */
async function once(url: string): Promise<{ ttft: number; ok: boolean }> {
  const t0 = performance.now();
  const res = await request(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
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

async function throughput(url: string): Promise<number> {
  const end = performance.now() + DURATION_S * 1000;
  let done = 0;
  const worker = async () => {
    while (performance.now() < end) if ((await once(url)).ok) done++;
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return done / DURATION_S;
}

async function main(): Promise<void> {
  const upstream = await startDemoUpstream({ intercept: answer });
  const on = await gateway(upstream.url, true);
  const off = await gateway(upstream.url, false);
  const ttft = { on: [] as number[], off: [] as number[] };
  const tput = { on: [] as number[], off: [] as number[] };
  // CPU of the whole process (client, upstream and gateway alike) per streamed request: the guard is the difference.
  const cpu = { on: [] as number[], off: [] as number[] };
  for (let i = 0; i < 30; i++) await Promise.all([once(on.url), once(off.url)]); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
    // Alternate request by request, so load from elsewhere on the machine hits both alike.
    for (let i = 0; i < TTFT_N / ROUNDS; i++) {
      for (const k of order) ttft[k].push((await once(k === 'on' ? on.url : off.url)).ttft);
    }
    for (const k of order) {
      const c0 = process.cpuUsage();
      const rate = await throughput(k === 'on' ? on.url : off.url);
      const c = process.cpuUsage(c0);
      tput[k].push(rate);
      cpu[k].push((c.user + c.system) / 1000 / (rate * DURATION_S));
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const row = (k: 'on' | 'off') =>
    `| ${k} | ${q(ttft[k], 0.5).toFixed(2)} | ${q(ttft[k], 0.99).toFixed(2)} | ${mean(tput[k]).toFixed(1)} | ${mean(cpu[k]).toFixed(2)} |`;
  const added = q(ttft.on, 0.99) - q(ttft.off, 0.99);
  const ratio = mean(tput.on) / mean(tput.off);
  process.stdout.write(
    [
      `output guard bench: ${WORDS.length} words per answer, gap ${GAP_MS} ms, ${ROUNDS} rounds, ${TTFT_N} TTFT samples each, ${CONNECTIONS} connections x ${DURATION_S}s per throughput round`,
      '',
      '| output guard | TTFT p50 ms | TTFT p99 ms | streams/s | CPU ms per stream (whole process) |',
      '|---|---:|---:|---:|---:|',
      row('off'),
      row('on'),
      '',
      `added TTFT p99: ${added.toFixed(2)} ms (target < 5 ms${GAP_MS > 0 ? '; paced upstream, see doc' : ''}): ${added < 5 ? 'PASS' : 'FAIL'}`,
      `throughput on/off: ${(ratio * 100).toFixed(1)}% (target >= 70%): ${ratio >= 0.7 ? 'PASS' : 'FAIL'}`,
      '',
    ].join('\n'),
  );
  await on.close();
  await off.close();
  await upstream.close();
  await agent.close();
}

void main();
