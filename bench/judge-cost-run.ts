import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureJudgeCost } from './judge-cost.js';
import { killStarted, startNode } from './lib/procs.js';

/**
 * The Judge's CPU per request alone (bench/judge-cost.ts), without the three gateways of
 * bench/judge.ts: the mock Judge in its own process (its CPU is not counted), `--runs` measurements,
 * the median printed.
 *
 *   node --import tsx bench/judge-cost-run.ts [--rate 0.1] [--runs 5]
 */
const HERE = dirname(fileURLToPath(import.meta.url));
const opt = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i !== -1 && i + 1 < process.argv.length ? (process.argv[i + 1] ?? fallback) : fallback;
};
const RATE = Number(opt('rate', '0.1'));
const RUNS = Number(opt('runs', '5'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

try {
  const judge = await startNode(join(HERE, 'targets/judge-mock.ts'), ['--delay', '0'], ['--import', 'tsx']);
  const hand: number[] = [];
  const work: number[] = [];
  let rubrics = 0;
  const loads: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const c = await measureJudgeCost(judge.url, RATE);
    hand.push(c.handOffUs);
    work.push(c.workerUsPerRecord);
    rubrics = c.rubricsPerRecord;
    loads.push(loadavg()[0] ?? 0);
  }
  const h = median(hand);
  const w = median(work);
  process.stdout.write(
    `rate ${RATE}, median of ${RUNS}, 1-minute load ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}\n` +
      `hand-off: ${h.toFixed(2)} µs CPU per request, lowest ${Math.min(...hand).toFixed(2)} (runs: ${hand.map((x) => x.toFixed(2)).join(', ')})\n` +
      `worker: ${w.toFixed(0)} µs CPU per judged record, lowest ${Math.min(...work).toFixed(0)}, ${rubrics} rubrics (runs: ${work.map((x) => x.toFixed(0)).join(', ')})\n` +
      `in-process workers at this rate: ${(h + RATE * w).toFixed(1)} µs CPU per request\n`,
  );
} finally {
  killStarted();
}
