/**
 * Issue 10's bounded-work benchmark: gateway CPU per request for adversarial inputs just under the
 * body cap, through the real pipeline (auth, parse, caps, limiter, input guard with every detector,
 * upstream call, output guard, audit log line). Target: worst case <= 50 ms of gateway CPU per request.
 *
 *   npx tsx bench/adversarial.ts [--repeat 12] [--warmup 4] [--only x-run,spaces] [--bytes 1040000]
 *                                [--max-input-tokens 8192] [--ref <commit>]
 *
 * The gateway runs in its own process (compiled like the other benches, bench/lib/build.ts) with the
 * default config (1 MB body cap, 8,192 input tokens, guards on) plus a demo consumer and a loose
 * limiter plan (admission still runs; a 429 would cut the pipeline short and flatter the numbers).
 * The demo upstream is a second process. This process sends each shape `--repeat` times, one request
 * at a time, and reads the gateway's CPU time (all threads, from /proc) before and after each: the
 * delta is that request's cost (garbage collection included). The table shows p50, p90 and max. Each shape
 * is sent at two sizes: "1 MB", just under the body cap (most are refused by the token cap), and
 * "at the cap", the largest such message the input-token cap admits (it runs the whole pipeline:
 * guards, upstream, output guard).
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { Agent, request } from 'undici';
import { startGateway } from '../src/boot/gateway.js';
import { parseConfig } from '../src/config/load.js';
import { startDemoUpstream } from '../src/demo/upstream.js';
import { demoApiKey } from '../src/edge/auth/demo.js';
import { loadTokenCounter, type TokenCounter } from '../src/upstream/tokenizer.js';
import { buildBenchScript } from './lib/build.js';
import { flag, ready } from './lib/child.js';
import { killStarted, type Proc, startNode } from './lib/procs.js';

const REPEAT = Number(flag('repeat', '12'));
const WARMUP = Number(flag('warmup', '4'));
/** Model-visible characters per request: the JSON body stays under the 1,048,576-byte cap. */
const BODY_BYTES = Number(flag('bytes', '1040000'));
const TARGET_MS = 50;
/** The route's input-token cap (the default is 8,192); the "at the cap" rows fill up to it. */
const MAX_INPUT_TOKENS = Number(flag('max-input-tokens', '8192'));

const loose = { perMinute: 1_000_000_000, burst: 0, sustainMinutes: 5 };
const demo = demoApiKey('bench');

async function child(kind: string): Promise<void> {
  if (kind === 'upstream') {
    const up = await startDemoUpstream();
    ready(up.url);
    return;
  }
  const config = parseConfig({
    server: { host: '127.0.0.1', port: 0, allowPlaintext: true },
    health: { port: 0 },
    metrics: { port: 0 },
    auth: JSON.parse(flag('auth', '{}')),
    limits: {
      defaultPlan: 'bench',
      plans: {
        bench: {
          requests: loose,
          inputTokens: loose,
          outputTokens: loose,
          cost: { softPerHour: 1e9, hardPerHour: 1e9 },
          concurrency: 100,
        },
      },
    },
    routes: [
      {
        alias: 'bench',
        caps: { maxInputTokens: Number(flag('max-input-tokens', '8192')) },
        endpoints: ['chat', 'completions'],
        upstream: { provider: 'openai', url: flag('upstream', ''), model: 'demo-model-2026-01-01' },
      },
    ],
  });
  // Info-level request lines to /dev/null, as in production (the line is built and written).
  const logger = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false }));
  const gw = await startGateway(config, { logger });
  ready(gw.url);
}

const rnd = (alphabet: string, n: number): string => {
  const a = [...alphabet];
  const out: string[] = [];
  let len = 0;
  while (len < n) {
    const c = a[Math.floor(Math.random() * a.length)]!;
    out.push(c);
    len += Buffer.byteLength(c);
  }
  return out.join('');
};
const words = (n: number): string => {
  let s = '';
  while (s.length < n) s += `${rnd('abcdefghijklmnopqrstuvwxyz', 3 + Math.floor(Math.random() * 8))} `;
  return s;
};
/** `s` repeated `k` times (at least once): every shape has some content at any size. */
const rep = (s: string, k: number): string => s.repeat(Math.max(1, Math.floor(k)));
const PROSE =
  'The gateway checks every request before the model sees it, counts its tokens, reserves its budget and logs one line. ';

/** Each shape fills one user message; `fitBody` trims it so the whole JSON body is under BODY_BYTES. */
const SHAPES: Record<string, (n: number) => string | string[]> = {
  'x-run': (n) => rep('x', n),
  'e-acute-run': (n) => rep('é', n / 2),
  'cjk-run': (n) => rep('中', n / 3),
  'emoji-run': (n) => rep('😀', n / 4),
  digits: (n) => rnd('0123456789', n),
  spaces: (n) => `${rep(' ', n - 6)}hello`,
  'newlines (JSON-escaped)': (n) => rep('\n', n / 2),
  'mixed whitespace': (n) => rnd(' \t\u3000\u00a0', n / 2),
  'dashes-run': (n) => rep('-', n),
  'combining marks': (n) => `e${rep('\u0301', n / 2 - 1)}`,
  'alternating scripts': (n) => rnd('aд中α1éب', n),
  'random letters, no spaces': (n) => rnd('abcdefghijklmnopqrstuvwxyz', n),
  'gibberish words': (n) => words(n),
  'English prose': (n) => rep(PROSE, n / PROSE.length),
  base64: (n) => randomBytes(Math.max(1, Math.floor((n * 3) / 4))).toString('base64'),
  hex: (n) => randomBytes(Math.max(1, Math.floor(n / 2))).toString('hex'),
  'url-escapes': (n) => rep('%41%42', n / 6),
  'html entities': (n) => rep('&#65;&lt;', n / 9),
  'zero-width run': (n) => rep('\u200b', n / 3),
  'tag characters': (n) => rep('\u{E0041}', n / 4),
  'leet and spacing': (n) => rep('1 g n 0 r 3 ', n / 12),
  'phone numbers': (n) => rep('+1 (555) 123-4567, ', n / 19),
  // Distinct bare US-shaped numbers, no context: each one needs libphonenumber (capped per request).
  'bare phone numbers': (n) =>
    Array.from(
      { length: Math.max(1, Math.floor(n / 14)) },
      () =>
        `${rnd('23456789', 1)}${rnd('0123456789', 2)} ${rnd('23456789', 1)}${rnd('0123456789', 2)} ${rnd('0123456789', 4)}`,
    ).join('; '),
  'names and streets': (n) => rep('John Smith lives at 123 Main Street. ', n / 37),
  'e-mail addresses': (n) => rep('ana.ferreira@example.com; ', n / 26),
  'key-like strings': (n) =>
    Array.from(
      { length: Math.max(1, Math.floor(n / 45)) },
      () => `sk-${randomBytes(30).toString('base64url')}`,
    ).join(' '),
  '256 messages': (n) => Array.from({ length: 256 }, () => words(Math.max(1, n / 256 - 64))),
};

function bodyOf(content: string | string[]): string {
  const messages = (Array.isArray(content) ? content : [content]).map((c) => ({ role: 'user', content: c }));
  return JSON.stringify({ model: 'bench', messages, max_tokens: 16 });
}

/** Messages of the shape whose counted input tokens (with chat framing) stay at or under `cap`. */
function atCap(make: (n: number) => string | string[], count: TokenCounter, cap: number): string {
  const tokens = (c: string | string[]) => {
    const list = Array.isArray(c) ? c : [c];
    const within = count.within(cap);
    let n = 3;
    for (const m of list) n += 3 + within(m);
    return n;
  };
  let lo = 1;
  let hi = BODY_BYTES - 200;
  let best = bodyOf(make(lo));
  while (hi - lo > Math.max(16, lo / 100)) {
    const mid = Math.floor((lo + hi) / 2);
    const content = make(mid);
    const body = bodyOf(content);
    if (tokens(content) <= cap - 8 && Buffer.byteLength(body) <= BODY_BYTES) [lo, best] = [mid, body];
    else hi = mid;
  }
  return best;
}

/** The shape's body, trimmed (by its content) until it fits under BODY_BYTES. */
function fitBody(make: (n: number) => string | string[]): string {
  let n = BODY_BYTES - 200;
  for (;;) {
    const body = bodyOf(make(n));
    const size = Buffer.byteLength(body);
    if (size <= BODY_BYTES) return body;
    n = Math.floor(n * (BODY_BYTES / size) * 0.999);
  }
}

const agent = new Agent({ connections: 4, keepAliveTimeout: 30_000 });
const HEADERS = { 'content-type': 'application/json', authorization: `Bearer ${demo.key}` };

async function send(url: string, body: string): Promise<string> {
  const res = await request(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: HEADERS,
    body,
    dispatcher: agent,
  });
  const text = await res.body.text();
  if (res.statusCode === 200) return '200';
  const code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? '?';
  return `${res.statusCode} ${code}`;
}

function build(): string {
  // --ref <commit>: the gateway's src/ from that commit (before/after figures in the same conditions).
  return buildBenchScript(import.meta.url, 'bench-adversarial', flag('ref', '') || null);
}

/** Warm-up, then `REPEAT` sequential requests, each with the gateway's CPU time around it. */
async function measure(gw: Proc, body: string): Promise<{ cpu: number[]; max: number; status: string }> {
  for (let i = 0; i < WARMUP; i++) await send(gw.url, body);
  const cpu: number[] = [];
  let status = '';
  for (let i = 0; i < REPEAT; i++) {
    const c0 = gw.cpuMicros();
    status = await send(gw.url, body);
    cpu.push((gw.cpuMicros() - c0) / 1000);
  }
  return { cpu, max: Math.max(...cpu), status };
}

/** Nearest-rank quantile: with 10 samples p90 is the 9th smallest, not the maximum. */
const quantile = (xs: number[], q: number): number =>
  [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(q * xs.length) - 1)] ?? Number.NaN;

async function main(): Promise<void> {
  const self = build();
  const only = flag('only', '');
  // Names are matched by prefix, comma-separated ("random letters" selects "random letters, no spaces").
  const shapes = Object.entries(SHAPES).filter(
    ([k]) => only === '' || only.split(',').some((o) => o.trim() !== '' && k.startsWith(o.trim())),
  );
  const upstream = await startNode(self, ['--child', 'upstream']);
  const gw = await startNode(self, [
    '--child',
    'gateway',
    '--upstream',
    upstream.url,
    '--auth',
    JSON.stringify(demo.auth),
  ]);
  const rows: string[] = [];
  let worst = 0;
  let worstShape = '';
  try {
    // Warm the JIT on an ordinary request and on each shape before measuring.
    for (let i = 0; i < 20; i++) await send(gw.url, bodyOf('Say hello in five words.'));
    const count = await loadTokenCounter('o200k_base');
    for (const [name, make] of shapes) {
      for (const [size, body] of [
        ['1 MB', fitBody(make)],
        ['at the cap', atCap(make, count, MAX_INPUT_TOKENS)],
      ] as const) {
        const r = await measure(gw, body);
        if (r.max > worst) [worst, worstShape] = [r.max, `${name}, ${size}`];
        const kb = (Buffer.byteLength(body) / 1024).toFixed(0);
        const verdict = r.max <= TARGET_MS ? 'yes' : '**no**';
        rows.push(
          `| ${name} | ${size} | ${kb} | ${r.status} | ${quantile(r.cpu, 0.5).toFixed(1)} | ${quantile(r.cpu, 0.9).toFixed(1)} | ${r.max.toFixed(1)} | ${verdict} |`,
        );
        process.stderr.write(`${rows.at(-1)}\n`);
      }
    }
  } finally {
    await agent.close();
    await gw.stop();
    await upstream.stop();
  }
  process.stdout.write(
    [
      `adversarial bench: ${REPEAT} measured requests per shape and size (after ${WARMUP} warm-up), body <= ${BODY_BYTES} bytes, maxInputTokens ${MAX_INPUT_TOKENS}, default guards`,
      '',
      '| shape | size | body KB | answer | CPU ms p50 | CPU ms p90 | CPU ms max | max <= 50 ms |',
      '|---|---|---:|---|---:|---:|---:|---|',
      ...rows,
      '',
      `worst case: ${worst.toFixed(1)} ms (${worstShape}); target <= ${TARGET_MS} ms: ${worst <= TARGET_MS ? 'PASS' : 'FAIL'}`,
      '',
    ].join('\n'),
  );
}

const kind = flag('child', '');
if (kind !== '') {
  process.once('SIGINT', () => process.exit(0));
  void child(kind);
} else
  main().catch((err) => {
    killStarted();
    throw err;
  });
