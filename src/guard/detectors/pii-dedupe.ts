/**
 * Overlapping PII findings collapse to the one with the strongest validation: findings are taken in
 * priority order (highest score, then longest span, then the order the detector produced them) and
 * each is kept unless it overlaps one already kept, so a card number is not also reported as a phone.
 *
 * The kept spans are pairwise disjoint, which makes the overlap test a question about two kept spans
 * only: one whose start lies inside the candidate, or the last one starting before it (disjoint spans
 * sorted by start are sorted by end too). A Fenwick tree over the distinct start offsets answers both
 * in O(log n), so the whole pass is O(n log n) in the number of findings, where comparing each finding
 * with every kept one was quadratic (160,000 characters of e-mail addresses took a second; issue 10).
 *
 * Precondition: every span is non-empty (every PII finder matches at least one character). Findings
 * without a span cannot overlap anything and are kept.
 */
import type { Finding, Span } from '../types.js';

/** Counts the elementary steps (comparisons, tree steps, binary-search steps) for the bounded-work test. */
export interface OpCounter {
  ops: number;
}

/** First index of sorted `xs` whose value is >= x (xs.length when none). */
function lowerBound(xs: Float64Array, x: number, ops: OpCounter | undefined): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    if (ops !== undefined) ops.ops++;
    const mid = (lo + hi) >>> 1;
    if ((xs[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function dedupeFindings(findings: readonly Finding[], ops?: OpCounter): Finding[] {
  const spans: Span[] = [];
  const spanned: number[] = [];
  const kept: Finding[] = [];
  findings.forEach((f, i) => {
    if (f.span === null) kept.push(f);
    else {
      spans.push(f.span);
      spanned.push(i);
    }
  });
  const n = spans.length;
  // Most texts have no finding or one: skip building the tree.
  if (n <= 1) return n === 0 ? kept : [...kept, findings[spanned[0] as number] as Finding];
  const len = (i: number): number => (spans[i] as Span).end - (spans[i] as Span).start;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => {
    if (ops !== undefined) ops.ops++;
    const fa = findings[spanned[a] as number] as Finding;
    const fb = findings[spanned[b] as number] as Finding;
    return fb.score - fa.score || len(b) - len(a) || a - b;
  });

  // Distinct start offsets, ascending: the Fenwick tree's positions.
  const starts = Float64Array.from(spans, (s) => s.start).sort();
  let m = 0;
  for (let i = 0; i < n; i++) if (i === 0 || starts[i] !== starts[m - 1]) starts[m++] = starts[i] as number;
  const at = starts.subarray(0, m);
  const tree = new Int32Array(m + 1);
  /** End of the kept span that starts at each position (kept spans are disjoint: one per start). */
  const endAt = new Float64Array(m);
  let log = 1;
  while (log * 2 <= m) log *= 2;

  const add = (pos: number): void => {
    for (let i = pos + 1; i <= m; i += i & -i) {
      if (ops !== undefined) ops.ops++;
      (tree[i] as number)++;
    }
  };
  /** Kept spans starting at positions 0..pos-1. */
  const before = (pos: number): number => {
    let sum = 0;
    for (let i = pos; i > 0; i -= i & -i) {
      if (ops !== undefined) ops.ops++;
      sum += tree[i] as number;
    }
    return sum;
  };
  /** Position of the k-th kept start (1-based), by descending the tree. */
  const kth = (k: number): number => {
    let pos = 0;
    let rest = k;
    for (let step = log; step > 0; step >>= 1) {
      if (ops !== undefined) ops.ops++;
      const next = pos + step;
      if (next <= m && (tree[next] as number) < rest) {
        pos = next;
        rest -= tree[next] as number;
      }
    }
    return pos;
  };

  /** Which finding is kept at each start position (-1: none). */
  const keptAt = new Int32Array(m).fill(-1);
  for (const i of order) {
    const { start, end } = spans[i] as Span;
    const from = lowerBound(at, start, ops);
    const to = lowerBound(at, end, ops);
    const below = before(from);
    // A kept span starting inside [start, end) overlaps (it is non-empty); so does the last kept
    // span starting before `start` if it reaches past `start`.
    if (before(to) > below) continue;
    if (below > 0 && (endAt[kth(below)] as number) > start) continue;
    keptAt[from] = i;
    endAt[from] = end;
    add(from);
  }
  // In start order, as before; findings without a span first.
  for (const i of keptAt) if (i >= 0) kept.push(findings[spanned[i] as number] as Finding);
  return kept;
}
