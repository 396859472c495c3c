import { loadProfile, type ProfileNode as Node } from './lib/cpuprofile.js';

/**
 * Where one function's time goes: of the samples whose stack contains `FN` (by default the runner's
 * `run`, i.e. a request's own work, without start-up and idle), self time by function and inclusive
 * time of Gatehouse's functions, as shares of those samples. Reads the newest main-thread
 * .cpuprofile in a directory (from `npm run bench -- --only gatehouse-full --profile`).
 *
 *   node --import tsx bench/profile-path.ts DIR [FN=run] [FILE_SUFFIX=runner.js] [TOP=40]
 */
const [dirArg = '.tmp/bench-profiles/gatehouse-full', root = 'run', rootFile = 'runner.js', topArg = '40'] =
  process.argv.slice(2);
const { file, profile: p, byId, parent } = loadProfile(dirArg);

const label = (n: Node) =>
  `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/.*\/(src|node_modules)\//, '$1/')}:${n.callFrame.lineNumber}`;
const self = new Map<string, number>();
const incl = new Map<string, number>();
let under = 0;
let all = 0;
p.samples.forEach((id, i) => {
  const d = p.timeDeltas[i] ?? 0;
  all += d;
  const chain: Node[] = [];
  for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
    const n = byId.get(x);
    if (n !== undefined) chain.push(n);
  }
  const k = chain.findIndex((n) => n.callFrame.functionName === root && n.callFrame.url.endsWith(rootFile));
  const leaf = chain[0];
  if (k < 0 || leaf === undefined) return;
  under += d;
  self.set(label(leaf), (self.get(label(leaf)) ?? 0) + d);
  const seen = new Set<string>();
  for (const n of chain.slice(0, k + 1)) {
    if (!n.callFrame.url.includes('/src/')) continue;
    const l = label(n);
    if (seen.has(l)) continue;
    seen.add(l);
    incl.set(l, (incl.get(l) ?? 0) + d);
  }
});
const top = Number(topArg);
const show = (m: Map<string, number>) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, v]) => `${((100 * v) / under).toFixed(1).padStart(5)}%  ${k}`)
    .join('\n');
process.stdout.write(
  `${file}: ${(under / 1e6).toFixed(2)} s under ${root} of ${(all / 1e6).toFixed(2)} s sampled\n\n` +
    `## self time\n${show(self)}\n\n## inclusive time, Gatehouse source\n${show(incl)}\n`,
);
