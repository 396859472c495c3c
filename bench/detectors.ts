/**
 * Cost of the built-in input detectors on a ~1,000-token prompt (the budget: all of them
 * together at most 1 ms at p99). Runs the engine exactly as the input stage does: sanitise, fold,
 * bounded decoding, then injection (signatures + classifier + signals + the off-task check), PII,
 * secrets and a small content policy. The injection row "as a tool result" scans the same prompt as
 * an `indirect` segment judged against a user request (the off-task check's relative mode). Not a
 * test: timings depend on the machine.
 *
 *   npx tsx bench/detectors.ts [--iterations 3000] [--json]
 *   node --max-semi-space-size=64 --import tsx bench/detectors.ts   # young generation sized for a gateway
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { countTokens } from 'gpt-tokenizer';
import { guardSchema } from '../src/config/schema/guard.js';
import { createPolicyDetector } from '../src/guard/detectors/policy.js';
import { scanText } from '../src/guard/engine.js';
import { buildSharedDetectors } from '../src/guard/registry.js';
import type { Detector } from '../src/guard/types.js';
import { DETECTOR_PROMPT } from './lib/detector-prompt.js';

const { values } = parseArgs({
  options: { iterations: { type: 'string', default: '3000' }, json: { type: 'boolean' } },
});
const iterations = Number(values.iterations);

const prompt = DETECTOR_PROMPT;
const tokens = countTokens(prompt);

const cfg = guardSchema.parse({});
const shared = buildSharedDetectors(cfg);
const policy = createPolicyDetector({
  deniedTopics: { weapons: ['pipe bomb', 'nerve agent'] },
  deniedPatterns: ['\\bproject\\s+osprey\\b'],
});
const limits = { decode: { ...cfg.decode, minEncodedLength: 16 }, maxScanChars: cfg.maxScanChars };
// The combined set runs last: the first sets absorb the heap's growth to its working size.
const sets: Record<string, Detector[]> = {
  'normalise + decode only': [],
  injection: [shared.get('injection')!],
  'injection, as a tool result with the user request': [shared.get('injection')!],
  pii: [shared.get('pii')!],
  secrets: [shared.get('secrets')!],
  'all (injection + pii + secrets + policy)': [...shared.values(), policy],
};

interface Stats {
  p50: number;
  p99: number;
  mean: number;
  /**
   * The same percentiles in CPU time of this process (user + system). It leaves out the time the
   * scheduler gave to other processes: on a shared machine the wall-clock p99 measures the neighbours.
   */
  cpuP50: number;
  cpuP99: number;
}

const TASK = 'Draft the reply to ticket 48213 for me, please.';

function measure(detectors: Detector[], indirect: boolean): Stats {
  const run = (): unknown =>
    indirect
      ? scanText(prompt, 'indirect', detectors, limits, undefined, TASK)
      : scanText(prompt, 'user', detectors, limits);
  for (let i = 0; i < 1_000; i++) run();
  const wall = new Float64Array(iterations);
  const cpu = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    run();
    wall[i] = performance.now() - t0;
    const c = process.cpuUsage(c0);
    cpu[i] = (c.user + c.system) / 1000;
  }
  wall.sort();
  cpu.sort();
  const q = (a: Float64Array, p: number): number => a[Math.min(iterations - 1, Math.floor(p * iterations))]!;
  const mean = wall.reduce((a, b) => a + b, 0) / iterations;
  return { p50: q(wall, 0.5), p99: q(wall, 0.99), mean, cpuP50: q(cpu, 0.5), cpuP99: q(cpu, 0.99) };
}

const results = Object.entries(sets).map(([name, ds]) => ({
  name,
  ...measure(ds, name.includes('tool result')),
}));
const load = `load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs`;
if (values.json) {
  const out = { node: process.version, load, tokens, chars: prompt.length, iterations, results };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
} else {
  process.stdout.write(
    `node ${process.version}, ${load}, prompt ${tokens} tokens (${prompt.length} chars), ${iterations} iterations\n\n`,
  );
  process.stdout.write(
    '| detectors | p50 ms | p99 ms | mean ms | CPU p50 ms | CPU p99 ms |\n|---|---:|---:|---:|---:|---:|\n',
  );
  for (const r of results) {
    const cells = [r.p50, r.p99, r.mean, r.cpuP50, r.cpuP99].map((x) => x.toFixed(3)).join(' | ');
    process.stdout.write(`| ${r.name} | ${cells} |\n`);
  }
}
