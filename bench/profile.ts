import { join, relative } from 'node:path';
import { loadProfile, type ProfileNode as Node } from './lib/cpuprofile.js';

/**
 * Reads a V8 .cpuprofile (from `npm run bench -- --only gatehouse --profile`) and prints where the
 * time goes: self time by function and by file, and inclusive time of Gatehouse's own functions.
 *
 *   node --import tsx bench/profile.ts [file.cpuprofile | dir]   (default: newest in .tmp/bench-profiles)
 */
const arg = process.argv[2] ?? join(process.cwd(), '.tmp', 'bench-profiles');
const { file, profile: p, byId, parent } = loadProfile(arg);
const top = Number(process.argv[3] ?? 30);

const self = new Map<number, number>();
let total = 0;
for (let i = 0; i < p.samples.length; i++) {
  const dt = p.timeDeltas[i] ?? 0;
  self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + dt);
  total += dt;
}

const short = (url: string) => {
  if (url === '') return '(native)';
  const u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('node_modules/');
  if (nm !== -1) return u.slice(nm + 13);
  return u.startsWith('/') ? relative(process.cwd(), u).replace(/^\.tmp\/bench-build\//, '') : u;
};
const label = (n: Node) =>
  `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;

function add(m: Map<string, number>, k: string, v: number) {
  m.set(k, (m.get(k) ?? 0) + v);
}

const selfByFn = new Map<string, number>();
const selfByFile = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, t] of self) {
  const n = byId.get(id)!;
  add(selfByFn, label(n), t);
  add(selfByFile, short(n.callFrame.url), t);
  // Inclusive: count each distinct frame label once per stack.
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur)!);
    if (!seen.has(l)) {
      seen.add(l);
      add(inclusive, l, t);
    }
  }
}

const pct = (t: number) => `${((100 * t) / total).toFixed(1).padStart(5)}%`;
const print = (title: string, m: Map<string, number>, filter: (k: string) => boolean = () => true) => {
  process.stdout.write(`\n## ${title}\n`);
  for (const [k, t] of [...m]
    .filter(([k]) => filter(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top))
    process.stdout.write(`${pct(t)}  ${k}\n`);
};
process.stdout.write(`${file}: ${(total / 1e6).toFixed(2)} s sampled\n`);
print('self time by function', selfByFn);
print('self time by file', selfByFile);
print('inclusive time, Gatehouse source', inclusive, (k) => k.includes(' src/'));
print('inclusive time, everything', inclusive);
