import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureJudgeCost } from './judge-cost.js';
import { buildForBench, describeBuild } from './lib/build.js';
import { drive, percentile } from './lib/load.js';
import { killStarted, type Proc, startNode } from './lib/procs.js';

/**
 * Issue 17's target: gateway throughput with the Judge at 10 % sampling vs the Judge off, in one
 * run, variants interleaved round by round so machine drift hits them alike.
 *
 *   node --import tsx bench/judge.ts [--duration 5] [--rounds 3] [--connections 32] [--judge-delay 0]
 *                                    [--ref HEAD|worktree]
 */
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(HERE);
const BUILD = join(ROOT, '.tmp', 'bench-judge-build');
const opt = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i !== -1 && i + 1 < process.argv.length ? (process.argv[i + 1] ?? fallback) : fallback;
};
const DURATION = Number(opt('duration', '5'));
const ROUNDS = Number(opt('rounds', '3'));
const CONNECTIONS = Number(opt('connections', '32'));
const JUDGE_DELAY = opt('judge-delay', '0');
const REF = opt('ref', 'worktree');

const say = (s = '') => process.stdout.write(`${s}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

try {
  buildForBench(ROOT, BUILD, REF === 'worktree' ? null : REF);
  const upstream = await startNode(join(BUILD, 'bench/targets/mock-upstream.js'), []);
  const judge = await startNode(join(BUILD, 'bench/targets/judge-mock.js'), ['--delay', JUDGE_DELAY]);
  const variants = [
    { name: 'Judge off', mode: 'off' },
    { name: '10 % sampling, workers in the gateway process', mode: 'inprocess' },
    { name: '10 % sampling, hand-off only (workers in `gatehouse judge`)', mode: 'handoff' },
  ];
  const procs: Proc[] = [];
  for (const v of variants)
    procs.push(
      await startNode(join(BUILD, 'bench/targets/judge-gateway.js'), [
        '--upstream',
        upstream.url,
        '--judge',
        v.mode,
        '--judge-url',
        judge.url,
      ]),
    );
  const body = JSON.stringify({
    model: 'bench',
    messages: [{ role: 'user', content: 'Write one sentence about gateways.' }],
    max_tokens: 64,
  });
  const rps: number[][] = variants.map(() => []);
  const p99: number[][] = variants.map(() => []);
  const cpu: number[][] = variants.map(() => []);
  const loads: number[] = [];
  for (const p of procs) await drive({ url: p.url, connections: CONNECTIONS, seconds: 2, body });
  const count = async () => Number(await (await fetch(`${judge.url}/count`)).text());
  const calls0 = await count();
  let inprocessRequests = 0;
  for (let round = 0; round < ROUNDS; round++) {
    loads.push(loadavg()[0] ?? 0);
    // Rotate the order each round.
    for (let k = 0; k < variants.length; k++) {
      const i = (k + round) % variants.length;
      const proc = procs[i];
      if (proc === undefined) continue;
      const c0 = proc.cpuMicros();
      const r = await drive({ url: proc.url, connections: CONNECTIONS, seconds: DURATION, body });
      // Let in-process workers finish this round's records: their CPU is part of the cost.
      await new Promise((res) => setTimeout(res, 1_500));
      const n = r.ok + r.failed;
      if (variants[i]?.mode === 'inprocess') inprocessRequests += n;
      rps[i]?.push(r.ok / r.seconds);
      p99[i]?.push(percentile(r.latencies.sort(), 99));
      cpu[i]?.push((proc.cpuMicros() - c0) / n);
    }
  }
  const judged = (await count()) - calls0;
  const cost = await measureJudgeCost(judge.url, 0.1);
  const offCpu = median(cpu[0] ?? []);
  say('## The Judge (issue 17)');
  say();
  say(
    `\`node --import tsx bench/judge.ts --duration ${DURATION} --rounds ${ROUNDS} --connections ${CONNECTIONS} --judge-delay ${JUDGE_DELAY}\``,
  );
  say();
  say(
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; gateway ${describeBuild(ROOT, REF === 'worktree' ? null : REF)}; 1-minute load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} during the rounds.`,
  );
  say();
  say(
    `Non-streamed chat through the core pipeline + record + Judge hand-off, ${CONNECTIONS} connections, median of ${ROUNDS} × ${DURATION} s, order rotated each round; target: 10 % sampling costs ≤ 3 % throughput.`,
  );
  say();
  const paired = (xs: number[][], i: number): number =>
    median((xs[i] ?? []).map((x, r) => x / (xs[0]?.[r] ?? Number.NaN)));
  say('| variant | req/s | p99 | gateway CPU per request | req/s vs off | CPU vs off |');
  say('|---|---|---|---|---|---|');
  for (let i = 0; i < variants.length; i++)
    say(
      `| ${variants[i]?.name} | ${median(rps[i] ?? []).toFixed(0)} | ${median(p99[i] ?? []).toFixed(2)} ms | ${median(cpu[i] ?? []).toFixed(0)} µs | ${
        i === 0 ? '' : `${(paired(rps, i) * 100).toFixed(1)} %`
      } | ${i === 0 ? '' : `${((paired(cpu, i) - 1) * 100).toFixed(1)} %`} |`,
    );
  say();
  say(
    `Judge calls received by the mock during the rounds: ${judged} (3 rubrics apply to each sampled record; ${inprocessRequests} requests went to the in-process variant).`,
  );
  say();
  say(
    `CPU measured in one process (\`process.cpuUsage()\`, ${cost.rubricsPerRecord} rubrics per record, Judge mock answering at once): hand-off ${cost.handOffUs.toFixed(1)} µs per request at 10 % (sampling decision for every request; record, serialisation and enqueue for the sampled tenth; the detectors' redaction replaced by a regex stand-in), worker ${cost.workerUsPerRecord.toFixed(0)} µs per judged record. Against the Judge-off gateway's ${offCpu.toFixed(0)} µs per request: hand-off ${((cost.handOffUs / offCpu) * 100).toFixed(2)} %, hand-off + in-process workers ${(((cost.handOffUs + 0.1 * cost.workerUsPerRecord) / offCpu) * 100).toFixed(1)} % of the gateway's CPU.`,
  );
} finally {
  killStarted();
}
