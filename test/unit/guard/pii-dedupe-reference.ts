import type { Finding } from '../../../src/guard/types.js';

/**
 * The PII detector's dedupe before issue 10, kept as the reference the n log n version must agree
 * with: each finding, in priority order, is compared with every finding kept so far. `ops` counts
 * those comparisons (and the sort's) so the bounded-work test can show it grows with the square.
 */
export function quadraticDedupe(findings: readonly Finding[], ops?: { ops: number }): Finding[] {
  const span = (f: Finding) => f.span ?? { start: 0, end: 0 };
  const sorted = [...findings].sort((a, b) => {
    if (ops !== undefined) ops.ops++;
    return b.score - a.score || span(b).end - span(b).start - (span(a).end - span(a).start);
  });
  const kept: Finding[] = [];
  for (const f of sorted) {
    const overlaps = kept.some((k) => {
      if (ops !== undefined) ops.ops++;
      return span(f).start < span(k).end && span(f).end > span(k).start;
    });
    if (!overlaps) kept.push(f);
  }
  return kept.sort((a, b) => span(a).start - span(b).start);
}
