/**
 * Groups for cross-validation that never split what belongs together: rows from the same source
 * dataset, and near-duplicates wherever they come from. A split that puts one DAN variant in training
 * and its sibling in the test fold measures memory, not generalisation.
 *
 * - Source dataset: each `+`-joined part of the row's `source` (before `#`), keyed by its last two
 *   path segments, so a constructed row ("suffix file + request file") joins both files' groups and a
 *   label-0 table joins the same tables with an attack inserted.
 * - Near-duplicates: word 3-gram shingles of the normalised text (NFKC, lower case, letters and
 *   digits only), MinHash with LSH banding for candidates, kept when the exact Jaccard similarity is
 *   at least NEAR_DUP_JACCARD. Identical normalised texts always join.
 *
 * Groups are the connected components of both relations (union-find), assigned to folds greedily,
 * largest first, to the fold with the fewest rows: deterministic and roughly balanced.
 */

export const NEAR_DUP_JACCARD = 0.5;
const HASHES = 60;
/** 20 bands of 3 rows: a pair at Jaccard 0.5 becomes a candidate with probability ~0.93. */
const BAND_ROWS = 3;

function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function normaliseText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function shingles(text: string): Set<number> {
  const words = normaliseText(text).split(' ').filter(Boolean);
  const out = new Set<number>();
  if (words.length < 3) {
    out.add(fnv(words.join(' ')));
    return out;
  }
  for (let i = 0; i + 3 <= words.length; i++) out.add(fnv(`${words[i]} ${words[i + 1]} ${words[i + 2]}`));
  return out;
}

export function jaccard(a: ReadonlySet<number>, b: ReadonlySet<number>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let inter = 0;
  for (const x of small) if (large.has(x)) inter++;
  return inter / Math.max(1, a.size + b.size - inter);
}

function minhash(set: ReadonlySet<number>): Uint32Array {
  const sig = new Uint32Array(HASHES).fill(0xffffffff);
  for (const x of set) {
    for (let k = 0; k < HASHES; k++) {
      let h = Math.imul(x ^ Math.imul(k + 1, 0x9e3779b1), 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35) >>> 0;
      if (h < sig[k]!) sig[k] = h;
    }
  }
  return sig;
}

class UnionFind {
  private readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    let r = i;
    while (this.parent[r] !== r) r = this.parent[r]!;
    while (this.parent[i] !== r) {
      const next = this.parent[i]!;
      this.parent[i] = r;
      i = next;
    }
    return r;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/** Source-dataset keys of a row's `source` ("a/b/c/d.json+e/f.json#x" -> ["c/d.json", "e/f.json"]). */
export function sourceKeys(source: string): string[] {
  return source
    .split('#')[0]!
    .split('+')
    .map((p) => p.split('/').filter(Boolean).slice(-2).join('/'));
}

export interface Grouping {
  /** Component id per row (the smallest row index in the component). */
  readonly group: Int32Array;
  /** Near-duplicate pairs found (diagnostic). */
  readonly nearDupPairs: number;
}

export function groupRows(rows: ReadonlyArray<{ text: string; source: string }>): Grouping {
  const uf = new UnionFind(rows.length);
  const firstOfKey = new Map<string, number>();
  const join = (key: string, i: number): void => {
    const j = firstOfKey.get(key);
    if (j === undefined) firstOfKey.set(key, i);
    else uf.union(i, j);
  };
  rows.forEach((r, i) => {
    for (const k of sourceKeys(r.source)) join(`src:${k}`, i);
    join(`txt:${normaliseText(r.text)}`, i);
  });
  const sets = rows.map((r) => shingles(r.text));
  const buckets = new Map<string, number[]>();
  sets.forEach((set, i) => {
    const sig = minhash(set);
    for (let b = 0; b < HASHES / BAND_ROWS; b++) {
      const key = `${b}:${Array.from(sig.subarray(b * BAND_ROWS, (b + 1) * BAND_ROWS)).join(',')}`;
      const list = buckets.get(key);
      if (list === undefined) buckets.set(key, [i]);
      else list.push(i);
    }
  });
  let nearDupPairs = 0;
  const seen = new Set<number>();
  for (const list of buckets.values()) {
    for (let x = 0; x < list.length; x++) {
      for (let y = x + 1; y < list.length; y++) {
        const a = list[x]!;
        const b = list[y]!;
        const pair = a * rows.length + b;
        if (seen.has(pair)) continue;
        seen.add(pair);
        if (uf.find(a) !== uf.find(b) && jaccard(sets[a]!, sets[b]!) >= NEAR_DUP_JACCARD) {
          uf.union(a, b);
          nearDupPairs++;
        }
      }
    }
  }
  return { group: Int32Array.from(rows, (_, i) => uf.find(i)), nearDupPairs };
}

/** Fold per row: whole groups, largest first, each to the fold that has the fewest rows so far. */
export function assignFolds(groupOf: ArrayLike<number>, k: number): Int32Array {
  const size = new Map<number, number>();
  for (let i = 0; i < groupOf.length; i++) size.set(groupOf[i]!, (size.get(groupOf[i]!) ?? 0) + 1);
  const order = [...size].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const load = new Array<number>(k).fill(0);
  const foldOf = new Map<number, number>();
  for (const [g, n] of order) {
    let best = 0;
    for (let f = 1; f < k; f++) if (load[f]! < load[best]!) best = f;
    foldOf.set(g, best);
    load[best] = load[best]! + n;
  }
  return Int32Array.from({ length: groupOf.length }, (_, i) => foldOf.get(groupOf[i]!)!);
}
