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

const { values } = parseArgs({
  options: { iterations: { type: 'string', default: '3000' }, json: { type: 'boolean' } },
});
const iterations = Number(values.iterations);

// A realistic mixed prompt: instructions, prose, a table, code, an e-mail and numbers, ~1,000 tokens.
const PARAGRAPHS = [
  'You are helping our support team answer a customer. Read the ticket history below and draft a polite reply that explains the refund policy, the expected timeline and the next steps.',
  'Ticket 48213, opened on 2024-03-14 by a customer in Lisbon: the order arrived damaged, the box was crushed and two of the six glasses were broken. The customer attached photos and asked whether they should return the whole set or only the broken items.',
  'Our policy: damaged goods are refunded in full within 14 days of the report; the customer does not need to return broken glass. A replacement can be shipped instead of a refund if stock allows. Shipping costs are never charged for damaged deliveries.',
  '| item | qty | unit price | status |\n| wine glass 35cl | 6 | 8.50 | 2 broken |\n| decanter 1l | 1 | 24.00 | ok |\n| gift box | 1 | 3.00 | crushed |',
  'Previous agent note: customer is polite, prefers e-mail, contact ana.ferreira@example.com; do not call after 6pm local time. The order total was 78.00 EUR including VAT, paid by card ending 4242.',
  'function refundAmount(items) {\n  return items.filter((i) => i.status !== "ok").reduce((s, i) => s + i.qty * i.unitPrice, 0);\n}',
  'Please keep the answer under 150 words, avoid legal language, thank the customer for the photos, and mention that the replacement ships within three working days if they prefer it.',
];
let prompt = '';
while (countTokens(prompt) < 1_000)
  prompt += `${PARAGRAPHS[Math.floor(prompt.length / 97) % PARAGRAPHS.length]}\n\n`;
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
