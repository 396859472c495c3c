import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { limitsSchema } from '../src/config/schema/limits.js';
import { createMemoryBackend } from '../src/edge/limits/memory-backend.js';
import { createRedisBackend } from '../src/edge/limits/redis-backend.js';
import { compileRoutePlans } from '../src/edge/limits/spec.js';
import type { Amounts, LimitBackend } from '../src/edge/limits/types.js';
import { buildForBench, describeBuild } from './lib/build.js';
import { drive, percentile } from './lib/load.js';
import { freePort, killStarted, Proc, startNode, usePriority } from './lib/procs.js';

/**
 * Issue 4's benchmark, in one run:
 *  1. the limiter's own cost: p50/p99 of one admission and one settlement, memory and Redis, and the
 *     Redis commands each one sends (it must be exactly one EVALSHA);
 *  2. gateway throughput with the limiter off and on, memory store and Redis store, interleaved
 *     round by round so machine drift hits every variant alike.
 * Redis is a private redis-server on a free port (no other test's traffic in its counters).
 *
 *   node --import tsx bench/limits.ts [--ops 20000] [--duration 5] [--rounds 3] [--connections 32]
 *                                     [--ref HEAD|worktree] [--nice N]
 *
 * `--nice N` runs this process, the servers and Redis at that priority (negative needs root): on a
 * machine shared with other work it keeps run-queue waits out of the numbers.
 */
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(HERE);
const BUILD = join(ROOT, '.tmp', 'bench-limits-build');
const opt = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i !== -1 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
};
const OPS = Number(opt('ops', '20000'));
const DURATION = Number(opt('duration', '5'));
const ROUNDS = Number(opt('rounds', '3'));
const CONNECTIONS = Number(opt('connections', '32'));
const REF = opt('ref', 'HEAD');
const NICE = process.argv.includes('--nice') ? Number(opt('nice', '0')) : null;
if (NICE !== null) usePriority(NICE);

async function privateRedis(): Promise<{ url: string; proc: Proc; stop: () => Promise<void> }> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const [cmd, argv] =
    NICE === null ? ['redis-server', args] : ['nice', ['-n', String(NICE), 'redis-server', ...args]];
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (c) => reject(new Error(`redis-server exited (${c})`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    proc: new Proc(child, `redis://127.0.0.1:${port}`),
    stop: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const ms = (x: number) => `${x < 0.1 ? x.toFixed(3) : x.toFixed(2)} ms`;

/** Sequential admit + settle pairs over 1,000 consumers: latency of each call. */
async function micro(backend: LimitBackend): Promise<{ admit: Float64Array; settle: Float64Array }> {
  const spec = compileRoutePlans(limitsSchema.parse({}), 'bench', 120_000).shared.get('premium')!;
  const amounts: Amounts = [1, 12, 64, 670];
  const admit = new Float64Array(OPS);
  const settle = new Float64Array(OPS);
  const run = async (i: number, record: boolean) => {
    const consumer = `c${i % 1_000}`;
    const leaseId = `l${i}`;
    let t = performance.now();
    const r = await backend.admit({ scope: 'bench', consumer, spec, amounts, leaseId, now: null });
    if (record) admit[i] = performance.now() - t;
    t = performance.now();
    await backend.settle({
      scope: 'bench',
      consumer,
      spec,
      at: r.at,
      deltas: [0, 0, -48, -480],
      leaseId,
      now: null,
    });
    if (record) settle[i] = performance.now() - t;
  };
  for (let i = 0; i < 2_000; i++) await run(i, false);
  for (let i = 0; i < OPS; i++) await run(i, true);
  return { admit: admit.sort(), settle: settle.sort() };
}

interface CommandStat {
  calls: number;
  usec: number;
}

async function commandStats(r: Redis): Promise<Record<string, CommandStat>> {
  const info = await r.info('commandstats');
  const out: Record<string, CommandStat> = {};
  for (const m of info.matchAll(/^cmdstat_([a-z|]+):calls=(\d+),usec=(\d+)/gm))
    out[m[1]!] = { calls: Number(m[2]), usec: Number(m[3]) };
  return out;
}

const lines: string[] = [];
const say = (s = '') => {
  lines.push(s);
  process.stdout.write(`${s}\n`);
};

const redis = await privateRedis();
try {
  say(`## Limits (issue 4)`);
  say();
  say(
    `\`node --import tsx bench/limits.ts --ops ${OPS} --duration ${DURATION} --rounds ${ROUNDS} --connections ${CONNECTIONS}${NICE === null ? '' : ` --nice ${NICE}`}\``,
  );
  say();
  say(
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; gateway ${describeBuild(ROOT, REF)}.`,
  );
  say();

  // 1. The limiter's own cost.
  const mem = await micro(createMemoryBackend());
  const client = new Redis(redis.url);
  const before = await commandStats(client);
  const red = await micro(createRedisBackend(client, 'ghbench:'));
  const after = await commandStats(client);
  const diff = (k: string): CommandStat => ({
    calls: (after[k]?.calls ?? 0) - (before[k]?.calls ?? 0),
    usec: (after[k]?.usec ?? 0) - (before[k]?.usec ?? 0),
  });
  const scripts = {
    calls: diff('evalsha').calls + diff('eval').calls,
    usec: diff('evalsha').usec + diff('eval').usec,
  };
  const pairs = OPS + 2_000;
  say('### The limiter alone (one admission = all six dimensions, one settlement)');
  say();
  say('| store | admission p50 | admission p99 | settlement p50 | settlement p99 |');
  say('|---|---|---|---|---|');
  for (const [name, r] of [
    ['memory', mem],
    ['redis (loopback)', red],
  ] as const)
    say(
      `| ${name} | ${ms(percentile(r.admit, 50))} | ${ms(percentile(r.admit, 99))} | ${ms(percentile(r.settle, 50))} | ${ms(percentile(r.settle, 99))} |`,
    );
  say();
  say(
    `Round trips: ${scripts.calls} script calls (EVALSHA ${diff('evalsha').calls}, EVAL ${diff('eval').calls} to load each script once) for ${pairs} admissions + ${pairs} settlements = ${(scripts.calls / (2 * pairs)).toFixed(3)} per call; Redis CPU ${(scripts.usec / scripts.calls).toFixed(1)} µs per script (commandstats).`,
  );
  say();
  client.disconnect();

  // 2. Gateway throughput, limits off vs on.
  buildForBench(ROOT, BUILD, REF === 'worktree' ? null : REF);
  const upstream = await startNode(join(BUILD, 'bench/targets/mock-upstream.js'), []);
  const variants = [
    { name: 'memory, limits off', args: ['--store', 'memory', '--limits', 'off'] },
    { name: 'memory, limits on', args: ['--store', 'memory', '--limits', 'on'] },
    { name: 'redis, limits off', args: ['--store', 'redis', '--redis', redis.url, '--limits', 'off'] },
    { name: 'redis, limits on', args: ['--store', 'redis', '--redis', redis.url, '--limits', 'on'] },
  ];
  const procs: Proc[] = [];
  for (const v of variants)
    procs.push(
      await startNode(join(BUILD, 'bench/targets/limits-gateway.js'), [
        '--upstream',
        upstream.url,
        ...v.args,
      ]),
    );
  const body = JSON.stringify({
    model: 'bench',
    messages: [{ role: 'user', content: 'Write one sentence about gateways.' }],
    max_tokens: 64,
  });
  const rps: number[][] = variants.map(() => []);
  const p99: number[][] = variants.map(() => []);
  const gwCpu: number[][] = variants.map(() => []);
  const redisCpu: number[][] = variants.map(() => []);
  const failed: number[] = variants.map(() => 0);
  for (let i = 0; i < variants.length; i++)
    await drive({ url: procs[i]!.url, connections: CONNECTIONS, seconds: 2, body });
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < variants.length; i++) {
      const g0 = procs[i]!.cpuMicros();
      const r0 = redis.proc.cpuMicros();
      const r = await drive({ url: procs[i]!.url, connections: CONNECTIONS, seconds: DURATION, body });
      gwCpu[i]!.push((procs[i]!.cpuMicros() - g0) / Math.max(1, r.ok));
      redisCpu[i]!.push((redis.proc.cpuMicros() - r0) / Math.max(1, r.ok));
      rps[i]!.push(r.ok / r.seconds);
      p99[i]!.push(percentile(r.latencies.sort(), 99));
      failed[i]! += r.failed;
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  say(
    `### Gateway throughput, limiter off vs on (non-streamed chat, ${CONNECTIONS} connections, median of ${ROUNDS} × ${DURATION} s)`,
  );
  say();
  say(
    '| variant | req/s | p99 | non-2xx/errors | on ÷ off (req/s) | gateway CPU/request | Redis CPU/request | on ÷ off (CPU) |',
  );
  say('|---|---|---|---|---|---|---|---|');
  for (let i = 0; i < variants.length; i++) {
    const on = i % 2 === 1;
    const ratio = on ? pct(median(rps[i]!) / median(rps[i - 1]!)) : '';
    // Throughput a CPU-bound gateway keeps: its CPU per request off ÷ on (Redis runs elsewhere in production).
    const cpuRatio = on ? pct(median(gwCpu[i - 1]!) / median(gwCpu[i]!)) : '';
    say(
      `| ${variants[i]!.name} | ${median(rps[i]!).toFixed(0)} | ${ms(median(p99[i]!))} | ${failed[i]} | ${ratio} | ${median(gwCpu[i]!).toFixed(0)} µs | ${i >= 2 ? `${median(redisCpu[i]!).toFixed(1)} µs` : ''} | ${cpuRatio} |`,
    );
  }
  say();
  say('Targets: on ÷ off ≥ 90 % (memory) and ≥ 75 % (Redis); one Redis round trip per admission.');
  for (const p of procs) await p.stop();
  await upstream.stop();
} finally {
  killStarted();
  await redis.stop();
}
