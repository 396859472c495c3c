import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_MODEL_ID, type DemoUpstream, startDemoUpstream } from '../../../src/demo/upstream.js';
import { loadTokenCounter } from '../../../src/upstream/tokenizer.js';

/**
 * Exactness across replicas: three gateway processes share one real Redis and many concurrent
 * clients spread over them, streaming and not. Every window is far from rolling over during the
 * run, so the right answer is exact: admitted == what fits, settled ≤ the limit, and the remaining
 * budget every replica reports equals the limit minus what was settled.
 */
const GATED_MODEL = 'gated-2026-01-01';
const PREFIX = `ghtest:multi:${process.pid}:`;
const REPLICA = fileURLToPath(new URL('./replica.ts', import.meta.url));
const PROMPT = 'Exactness across replicas means the limit holds for the whole deployment.';
const big = (perMinute: number) => ({ perMinute, burst: 0, sustainMinutes: 5 });
const loose = {
  requests: big(100_000),
  inputTokens: big(10_000_000),
  outputTokens: big(10_000_000),
  cost: { softPerHour: 1_000, hardPerHour: 10_000 },
  concurrency: 10_000,
};

let upA: DemoUpstream;
let upB: DemoUpstream;
let replicas: ChildProcess[] = [];
let urls: string[] = [];
const redis = new Redis('redis://127.0.0.1:6379');
let promptTokens = 0;
let count: (t: string) => number;
let openGate: () => void = () => {};
let gate: Promise<void> = Promise.resolve();
const closeGate = () => {
  gate = new Promise((r) => {
    openGate = r;
  });
};

async function startReplica(config: unknown): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', REPLICA], {
    env: { ...process.env, GH_REPLICA_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const nl = out.indexOf('\n');
      if (nl !== -1) resolve((JSON.parse(out.slice(0, nl)) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`replica exited with ${code}`)));
  });
  return { child, url };
}

beforeAll(async () => {
  count = await loadTokenCounter('o200k_base');
  promptTokens = count(PROMPT);
  upA = await startDemoUpstream({
    intercept: async (_req, body) => {
      if (body.model === GATED_MODEL) await gate;
      return false;
    },
  });
  upB = await startDemoUpstream({ streamUsage: false });
  const config = {
    server: { host: '127.0.0.1', port: 0, allowPlaintext: true },
    health: { enabled: false },
    metrics: { enabled: false },
    log: { level: 'error' },
    // A loaded CI machine can stall Redis for a while: a timeout would switch to the local posture.
    store: { kind: 'redis', url: 'redis://127.0.0.1:6379', prefix: PREFIX, commandTimeoutMs: 10_000 },
    routes: [
      {
        alias: 'demo',
        endpoints: ['chat', 'completions'],
        upstream: { provider: 'openai', url: upA.url, model: DEMO_MODEL_ID },
      },
      { alias: 'gated', upstream: { provider: 'openai', url: upA.url, model: GATED_MODEL } },
      { alias: 'nousage', upstream: { provider: 'openai', url: upB.url, model: DEMO_MODEL_ID } },
    ],
    limits: {
      replicas: 3,
      defaultPlan: 'rq',
      plans: {
        rq: { ...loose, requests: { perMinute: 40, burst: 10, sustainMinutes: 5 } },
        in: { ...loose, inputTokens: big(20 * promptTokens + Math.floor(promptTokens / 2)) },
        out: { ...loose, outputTokens: big(305) },
        cc: { ...loose, concurrency: 3 },
      },
      routes: { gated: { globalConcurrency: 5 } },
    },
  };
  const started = await Promise.all([0, 1, 2].map(() => startReplica(config)));
  replicas = started.map((s) => s.child);
  urls = started.map((s) => s.url);
  // Replica processes compile src/ with tsx at start: slow when the machine is busy.
}, 180_000);

afterAll(async () => {
  await Promise.all(
    replicas.map(async (c) => {
      if (c.exitCode !== null) return;
      const exited = once(c, 'exit');
      c.kill('SIGTERM');
      await exited;
    }),
  );
  await upA?.close();
  await upB?.close();
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

/** What the store holds for one consumer's dimension in its minute window (settlement is asynchronous). */
async function stored(route: string, consumer: string, dim: 'it' | 'ot'): Promise<number> {
  // Window fields are `<dimension index><window id>`; `t` is the window's running total.
  const field = dim === 'it' ? '1mt' : '2mt';
  return Number((await redis.hget(`${PREFIX}lim:{${route}}:c:${consumer}`, field)) ?? 0);
}

interface Answer {
  status: number;
  code: string | null;
  text: string;
  usage: { prompt_tokens: number; completion_tokens: number } | null;
  headers: Headers;
}

async function post(
  i: number,
  path: string,
  consumer: string,
  plan: string,
  body: Record<string, unknown>,
): Promise<Answer> {
  const res = await fetch(`${urls[i % urls.length]}/v1/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-test-consumer': consumer, 'x-test-plan': plan },
    body: JSON.stringify(body),
  });
  const raw = await res.text();
  if (res.status !== 200) {
    return {
      status: res.status,
      code: (JSON.parse(raw) as { error: { code: string } }).error.code,
      text: '',
      usage: null,
      headers: res.headers,
    };
  }
  if (body.stream !== true) {
    const j = JSON.parse(raw) as {
      usage: Answer['usage'];
      choices: Array<{ text?: string; message?: { content: string } }>;
    };
    return {
      status: 200,
      code: null,
      text: j.choices[0]?.message?.content ?? j.choices[0]?.text ?? '',
      usage: j.usage,
      headers: res.headers,
    };
  }
  let text = '';
  let usage: Answer['usage'] = null;
  for (const line of raw.split('\n')) {
    if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
    const ev = JSON.parse(line.slice(6)) as {
      usage?: Answer['usage'];
      choices?: Array<{ text?: string; delta?: { content?: string } }>;
    };
    if (ev.usage) usage = ev.usage;
    for (const c of ev.choices ?? []) text += c.delta?.content ?? c.text ?? '';
  }
  return { status: 200, code: null, text, usage, headers: res.headers };
}

/** `n` requests from `workers` concurrent clients, round-robin over the replicas. */
async function hammer(n: number, workers: number, make: (i: number) => Promise<Answer>): Promise<Answer[]> {
  const out: Answer[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let i = next++; i < n; i = next++) out.push(await make(i));
    }),
  );
  return out;
}

describe('three replicas, one Redis', () => {
  it('requests: exactly perMinute + burst admitted, streaming and not', async () => {
    const answers = await hammer(120, 24, (i) =>
      post(i, 'chat/completions', 'rq-1', 'rq', {
        model: 'demo',
        messages: [{ role: 'user', content: PROMPT }],
        max_tokens: 8,
        ...(i % 2 === 0 ? { stream: true, stream_options: { include_usage: true } } : {}),
      }),
    );
    const ok = answers.filter((a) => a.status === 200);
    expect(ok).toHaveLength(50);
    expect(answers.filter((a) => a.status !== 200).every((a) => a.code === 'GH_ERR_RATE_REQUESTS')).toBe(
      true,
    );
    expect(ok.every((a) => a.usage !== null && a.text.length > 0)).toBe(true);
  }, 60_000);

  it('input tokens: exactly as many prompts as fit, settled input never above the limit', async () => {
    const limit = 20 * promptTokens + Math.floor(promptTokens / 2);
    const answers = await hammer(60, 24, (i) =>
      post(i, 'completions', 'in-1', 'in', {
        model: 'demo',
        prompt: PROMPT,
        max_tokens: 4,
        stream: i % 3 === 0,
      }),
    );
    const ok = answers.filter((a) => a.status === 200);
    expect(ok).toHaveLength(20);
    expect(answers.filter((a) => a.status !== 200).every((a) => a.code === 'GH_ERR_RATE_INPUT_TOKENS')).toBe(
      true,
    );
    const settled = ok.reduce((s, a) => s + (a.usage?.prompt_tokens ?? promptTokens), 0);
    expect(settled).toBeLessThanOrEqual(limit);
    await waitFor(async () => (await stored('demo', 'in-1', 'it')) === settled);
    // What is left (less than one prompt) is still usable, from any replica.
    const probe = await post(2, 'completions', 'in-1', 'in', { model: 'demo', prompt: 'x', max_tokens: 1 });
    expect(probe.status).toBe(200);
    expect(probe.headers.get('x-ratelimit-remaining-input-tokens')).toBe(
      String(limit - settled - count('x')),
    );
  }, 60_000);

  it('output tokens on streams without upstream usage: settled from counted tokens, exact remaining on every replica', async () => {
    const limit = 305;
    const answers = await hammer(40, 16, (i) =>
      post(i, 'chat/completions', 'out-1', 'out', {
        model: 'nousage',
        messages: [{ role: 'user', content: `${PROMPT} ${i}` }],
        max_tokens: 30,
        stream: true,
      }),
    );
    const ok = answers.filter((a) => a.status === 200);
    expect(ok.every((a) => a.usage === null)).toBe(true); // the upstream sent none: the gateway counted
    expect(answers.filter((a) => a.status !== 200).every((a) => a.code === 'GH_ERR_RATE_OUTPUT_TOKENS')).toBe(
      true,
    );
    const settled = ok.reduce((s, a) => s + count(a.text), 0);
    expect(ok.length).toBeGreaterThanOrEqual(Math.floor(limit / 30));
    expect(settled).toBeLessThanOrEqual(limit);
    // The store holds exactly what was settled, and every replica reports limit − settled.
    let spent = settled;
    for (let r = 0; r < 3; r++) {
      await waitFor(async () => (await stored('nousage', 'out-1', 'ot')) === spent);
      const probe = await post(r, 'chat/completions', 'out-1', 'out', {
        model: 'nousage',
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 1,
        stream: true,
      });
      expect(probe.status).toBe(200);
      expect(Number(probe.headers.get('x-ratelimit-remaining-output-tokens'))).toBe(limit - spent - 1);
      spent += count(probe.text);
    }
  }, 60_000);

  it('concurrency: per consumer and global, across replicas', async () => {
    closeGate();
    const before = upA.received.filter((r) => r.body.model === GATED_MODEL).length;
    const reached = () => upA.received.filter((r) => r.body.model === GATED_MODEL).length - before;
    const body = { model: 'gated', messages: [{ role: 'user', content: 'wait' }], max_tokens: 4 };

    // One consumer, plan concurrency 3: ten at once over three replicas.
    const refused: Answer[] = [];
    const pending = Array.from({ length: 10 }, (_, i) =>
      post(i, 'chat/completions', 'cc-1', 'cc', body).then((a) => {
        if (a.status !== 200) refused.push(a);
        return a;
      }),
    );
    await waitFor(() => reached() + refused.length === 10);
    expect(reached()).toBe(3);
    expect(refused.every((a) => a.code === 'GH_ERR_CONCURRENCY')).toBe(true);
    openGate();
    expect((await Promise.all(pending)).filter((a) => a.status === 200)).toHaveLength(3);

    // Four consumers with three slots each, but the route takes five at a time.
    closeGate();
    const base = reached();
    const refused2: Answer[] = [];
    const pending2 = Array.from({ length: 12 }, (_, i) =>
      post(i, 'chat/completions', `g-${i % 4}`, 'cc', body).then((a) => {
        if (a.status !== 200) refused2.push(a);
        return a;
      }),
    );
    await waitFor(() => reached() - base + refused2.length === 12);
    expect(reached() - base).toBe(5);
    expect(refused2.every((a) => a.code === 'GH_ERR_GLOBAL_CONCURRENCY')).toBe(true);
    openGate();
    expect((await Promise.all(pending2)).filter((a) => a.status === 200)).toHaveLength(5);
  }, 60_000);
});

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}
