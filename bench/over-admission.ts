import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { buildForBench, describeBuild } from './lib/build.js';
import { freePort, killStarted, type Proc, startNode } from './lib/procs.js';

/**
 * Issue 10's target "zero over-admission across 3 replicas at 1,000 concurrent requests".
 *
 * Each round: a fresh key prefix, three gateway replicas (bench/targets/over-admission-gateway.ts)
 * on one private redis-server, a `--limit` requests-per-minute plan, `--requests` requests sent at
 * once (round robin over the replicas) and, once `--trigger` answers are back, every replica's
 * event loop blocked for 1, 2 and 3 s (`--stalls`) by a CPU-heavy co-tenant. Every answer is
 * counted: admitted (200), refused (429 GH_ERR_RATE_REQUESTS), anything else.
 *
 *   node --import tsx bench/over-admission.ts [--rounds 5] [--requests 1000] [--limit 100]
 *     [--stalls 1000,2000,3000] [--trigger 20] [--ref HEAD|worktree] [--baseline REF]
 *
 * `--baseline REF` runs the same rounds against another commit's src/ (e.g. the one before the fix).
 */
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(HERE);
const opt = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i !== -1 && i + 1 < process.argv.length ? process.argv[i + 1]! : fallback;
};
const ROUNDS = Number(opt('rounds', '5'));
const REQUESTS = Number(opt('requests', '1000'));
const LIMIT = Number(opt('limit', '100'));
const STALLS = opt('stalls', '1000,2000,3000').split(',').map(Number);
const TRIGGER = Number(opt('trigger', '20'));
const REF = opt('ref', 'HEAD');
const BASELINE = opt('baseline', '');

async function privateRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
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
    stop: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

interface Round {
  admitted: number;
  refused: number;
  other: number;
  stalled: number;
}

const agent = new Agent({ connections: null, pipelining: 0 });

async function round(build: string, redisUrl: string, upstream: string, n: number): Promise<Round> {
  const replicas: Proc[] = [];
  const stalled: string[] = [];
  for (const ms of STALLS) {
    const p = await startNode(join(build, 'bench/targets/over-admission-gateway.js'), [
      '--redis',
      redisUrl,
      '--prefix',
      `ghbench:oa:${process.pid}:${n}:`,
      '--upstream',
      upstream,
      '--rpm',
      String(LIMIT),
      '--stall',
      String(ms),
    ]);
    p.child.stdout!.on('data', (b: Buffer) => {
      for (const l of b.toString().split('\n')) if (l.startsWith('STALLED')) stalled.push(l);
    });
    replicas.push(p);
  }
  const body = JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'hi' }], max_tokens: 8 });
  let answered = 0;
  const r: Round = { admitted: 0, refused: 0, other: 0, stalled: 0 };
  await Promise.all(
    Array.from({ length: REQUESTS }, async (_, i) => {
      const res = await request(`${replicas[i % replicas.length]!.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        dispatcher: agent,
      });
      const text = await res.body.text();
      if (++answered === TRIGGER) for (const p of replicas) p.child.kill('SIGUSR2');
      if (res.statusCode === 200) r.admitted++;
      else if (res.statusCode === 429 && text.includes('GH_ERR_RATE_REQUESTS')) r.refused++;
      else r.other++;
    }),
  );
  for (const p of replicas) await p.stop();
  r.stalled = stalled.length;
  return r;
}

async function runAll(ref: string): Promise<Round[]> {
  const build = join(ROOT, '.tmp', `bench-over-admission-${ref.replace(/[^a-z0-9]/gi, '_')}`);
  buildForBench(ROOT, build, ref === 'worktree' ? null : ref);
  const redis = await privateRedis();
  const upstream = await startNode(join(build, 'bench/targets/mock-upstream.js'), []);
  try {
    const out: Round[] = [];
    for (let n = 0; n < ROUNDS; n++) out.push(await round(build, redis.url, upstream.url, n));
    return out;
  } finally {
    await upstream.stop();
    await redis.stop();
  }
}

try {
  const say = (s = '') => process.stdout.write(`${s}\n`);
  say(
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; ${REQUESTS} requests at once over 3 replicas, limit ${LIMIT}/min, stalls ${STALLS.join('/')} ms after ${TRIGGER} answers, ${ROUNDS} rounds.`,
  );
  say();
  say(
    '| gateway | admitted per round | over-admitted (max) | 429 with code | other answers | replicas stalled |',
  );
  say('|---|---|---|---|---|---|');
  for (const ref of BASELINE === '' ? [REF] : [REF, BASELINE]) {
    const rs = await runAll(ref);
    const adm = rs.map((r) => r.admitted);
    say(
      `| ${describeBuild(ROOT, ref === 'worktree' ? 'worktree' : ref)} | ${adm.join(', ')} | ${Math.max(0, ...adm.map((a) => a - LIMIT))} | ${rs.map((r) => r.refused).join(', ')} | ${rs.map((r) => r.other).join(', ')} | ${rs.map((r) => r.stalled).join(', ')} |`,
    );
  }
} finally {
  killStarted();
  await agent.close();
}
