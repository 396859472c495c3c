/**
 * Before/after of the input detectors on a shared machine (issue 13): the working tree's and a git
 * ref's guard, both compiled to plain JS (bench/lib/build.ts) and loaded in ONE process, scanning the
 * same prompts through `scanText` (sanitise, fold, decoded views, detectors) in short interleaved
 * blocks; CPU time of the process per scan, median over blocks. Interleaving cancels most of the
 * drift that separate runs minutes apart pick up from the neighbours.
 *
 * Prompts: `pipeline` is bench/configs/prompt-1k.json as the input stage scans it (the system message
 * with PII and secrets, the user message with every detector); `detectors` is bench/detectors.ts's
 * ~1,000-token prompt (digits, a table, code, an e-mail) as one user text.
 *
 *   node --import tsx bench/ab-detectors.ts [BASE_REF] [blocks=15] [scans per block=200] [only=SET,SET]
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildForBench } from './lib/build.js';
import { DETECTOR_PROMPT } from './lib/detector-prompt.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(HERE);
const baseRef = process.argv[2] ?? 'HEAD';
const blocks = Number(process.argv[3] ?? 15);
const perBlock = Number(process.argv[4] ?? 200);
const only = process.argv[5]?.split(',');
const BUILDS = { new: join(ROOT, '.tmp', 'abd-build'), base: join(ROOT, '.tmp', 'abd-build-base') } as const;
buildForBench(ROOT, BUILDS.new, null);
buildForBench(ROOT, BUILDS.base, baseRef);

const prompt = DETECTOR_PROMPT;
const chat = JSON.parse(readFileSync(join(HERE, 'configs', 'prompt-1k.json'), 'utf8')) as Array<{
  content: string;
}>;

type Det = { name: string };
interface Guard {
  scanText: (...a: unknown[]) => unknown;
  createScanBudget: () => unknown;
  shared: ReadonlyMap<string, Det>;
  limits: unknown;
}
async function load(dir: string): Promise<Guard> {
  const { guardSchema } = await import(join(dir, 'src', 'config', 'schema', 'guard.js'));
  const { scanText, createScanBudget } = await import(join(dir, 'src', 'guard', 'engine.js'));
  const { buildSharedDetectors } = await import(join(dir, 'src', 'guard', 'registry.js'));
  const cfg = guardSchema.parse({});
  const limits = { decode: { ...cfg.decode, minEncodedLength: 16 }, maxScanChars: cfg.maxScanChars };
  return { scanText, createScanBudget, shared: buildSharedDetectors(cfg), limits };
}
const guards = { new: await load(BUILDS.new), base: await load(BUILDS.base) };

const SETS = ['none', 'injection', 'pii', 'secrets', 'all'] as const;
type SetName = (typeof SETS)[number];
function runner(g: Guard, set: SetName, which: 'pipeline' | 'detectors'): () => void {
  const pick = (names: string[]): Det[] =>
    set === 'none' ? [] : names.filter((n) => set === 'all' || n === set).map((n) => g.shared.get(n) as Det);
  const user = pick(['injection', 'pii', 'secrets']);
  const system = pick(['pii', 'secrets']);
  if (which === 'detectors') return () => g.scanText(prompt, 'user', user, g.limits);
  return () => {
    const budget = g.createScanBudget();
    g.scanText(chat[0]?.content, 'system', system, g.limits, budget);
    g.scanText(chat[1]?.content, 'user', user, g.limits, budget);
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
process.stdout.write(
  `| prompt | detectors | working tree µs/scan | ${baseRef} µs/scan | ratio |\n|---|---|---:|---:|---:|\n`,
);
for (const which of ['pipeline', 'detectors'] as const) {
  for (const set of SETS) {
    if (only !== undefined && !only.includes(set)) continue;
    const runs = { new: runner(guards.new, set, which), base: runner(guards.base, set, which) };
    const cpu: Record<'new' | 'base', number[]> = { new: [], base: [] };
    for (const k of ['new', 'base'] as const) for (let i = 0; i < 300; i++) runs[k]();
    for (let b = 0; b < blocks; b++) {
      for (const k of b % 2 === 0 ? (['new', 'base'] as const) : (['base', 'new'] as const)) {
        const c0 = process.cpuUsage();
        for (let i = 0; i < perBlock; i++) runs[k]();
        const c = process.cpuUsage(c0);
        cpu[k].push((c.user + c.system) / perBlock);
      }
    }
    const n = median(cpu.new);
    const o = median(cpu.base);
    process.stdout.write(
      `| ${which} | ${set} | ${n.toFixed(1)} | ${o.toFixed(1)} | ${(o / n).toFixed(2)}× |\n`,
    );
  }
}
