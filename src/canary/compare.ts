import type { CanaryGates } from '../config/schema/canary.js';
import type { Fields } from './stats.js';
import {
  alphaAtLook,
  countAbove,
  type Histogram,
  mannWhitney,
  quantile,
  twoProportion,
  upperTail,
} from './stats-math.js';

/**
 * The comparison report: every metric side by side with its test statistic and verdict. `fail`
 * rolls the canary back; promotion needs every gate `pass` (a gate without its Judge is `skipped`).
 */
export type Verdict = 'pass' | 'fail' | 'pending' | 'skipped';

export interface MetricRow {
  readonly metric: string;
  readonly baseline: number | null;
  readonly canary: number | null;
  /** The test statistic (z, or the Mann–Whitney effect size for distributions). */
  readonly statistic: number | null;
  readonly p: number | null;
  readonly verdict: Verdict;
  readonly note: string;
}

export interface Comparison {
  readonly samples: { readonly baseline: number; readonly canary: number };
  /** The sequential look (doubling of the smaller side past minSamples) and the alpha it may spend per gate. */
  readonly look: number;
  readonly alpha: number | null;
  readonly rows: readonly MetricRow[];
  readonly verdict: Verdict;
}

function histogram(f: Fields, prefix: string): Map<number, number> {
  const h = new Map<number, number>();
  for (const [k, v] of Object.entries(f))
    if (k.startsWith(prefix) && v > 0) h.set(Number(k.slice(prefix.length)), v);
  return h;
}

function judgeCounts(f: Fields): { evaluated: number; flagged: number } {
  let evaluated = 0;
  let flagged = 0;
  for (const [k, v] of Object.entries(f)) {
    if (!k.startsWith('j:')) continue;
    if (k.endsWith(':e')) evaluated += v;
    else if (k.endsWith(':f')) flagged += v;
  }
  return { evaluated, flagged };
}

const round = (v: number | null, d = 4) => (v === null ? null : Math.round(v * 10 ** d) / 10 ** d);

/** Compares canary against baseline under the gates; `judgeOn` is false when the Judge gives no signal. */
export function compare(base: Fields, can: Fields, gates: CanaryGates, judgeOn: boolean): Comparison {
  const nb = base.n ?? 0;
  const nc = can.n ?? 0;
  const n = Math.min(nb, nc);
  const detectors = [
    ...new Set([...Object.keys(base), ...Object.keys(can)].filter((k) => k.startsWith('g:'))),
  ].sort();
  // Bonferroni across the gates of this look, on top of the spending across looks.
  const gateCount = detectors.length + 4 + (judgeOn ? 1 : 0);
  const spend = alphaAtLook(n, gates.minSamples, gates.alpha);
  const a = spend === null ? null : spend.alpha / gateCount;
  const rows: MetricRow[] = [];

  const rate = (
    metric: string,
    xb: number,
    xc: number,
    delta: number,
    nbb = nb,
    ncc = nc,
    min = gates.minSamples,
  ) => {
    const t = twoProportion(xb, nbb, xc, ncc);
    const decided = Math.min(nbb, ncc) >= min && a !== null;
    const bad = decided && t.diff > delta && t.p < (a ?? 0);
    rows.push({
      metric,
      baseline: round(t.baseline),
      canary: round(t.canary),
      statistic: round(t.z, 3),
      p: round(t.p, 6),
      verdict: !decided ? 'pending' : bad ? 'fail' : 'pass',
      note: `fails when canary − baseline > ${delta} and p < α`,
    });
  };

  for (const d of detectors)
    rate(`guard ${d.slice(2)} block+flag rate`, base[d] ?? 0, can[d] ?? 0, gates.guardRateDelta);
  rate('error rate', base.err ?? 0, can.err ?? 0, gates.errorRateDelta);

  if (judgeOn) {
    const jb = judgeCounts(base);
    const jc = judgeCounts(can);
    rate(
      'judge flag rate (calibrated rubrics)',
      jb.flagged,
      jc.flagged,
      gates.judgeRateDelta,
      jb.evaluated,
      jc.evaluated,
      gates.judgeMinSamples,
    );
  } else
    rows.push({
      metric: 'judge flag rate (calibrated rubrics)',
      baseline: null,
      canary: null,
      statistic: null,
      p: null,
      verdict: 'skipped',
      note: 'no Judge signal (the Judge is off)',
    });

  const shift = (metric: string, prefix: string, effect: number, note: string) => {
    const hb: Histogram = histogram(base, prefix);
    const hc: Histogram = histogram(can, prefix);
    const mw = mannWhitney(hb, hc);
    const decided = n >= gates.minSamples && a !== null;
    const bad = decided && Math.abs(mw.effect - 0.5) > effect && mw.p < (a ?? 0);
    rows.push({
      metric,
      baseline: quantile(hb, 0.5),
      canary: quantile(hc, 0.5),
      statistic: round(mw.effect),
      p: round(mw.p, 6),
      verdict: !decided ? 'pending' : bad ? 'fail' : 'pass',
      note,
    });
    return { hb, hc };
  };
  shift(
    'output tokens (median; Mann–Whitney effect)',
    't:',
    gates.tokenEffect,
    `fails when |P(canary > baseline) − 0.5| > ${gates.tokenEffect} and p < α`,
  );

  // p99: the canary's share above the baseline's p99 against the 1% it would have with no change.
  const lb = histogram(base, 'l:');
  const lc = histogram(can, 'l:');
  const p99b = quantile(lb, 0.99);
  const p99c = quantile(lc, 0.99);
  {
    const above = p99b === null ? 0 : countAbove(lc, p99b);
    const share = nc > 0 ? above / nc : 0;
    const z = nc > 0 ? (share - 0.01) / Math.sqrt((0.01 * 0.99) / nc) : 0;
    const p = upperTail(z);
    const decided = n >= gates.minSamples && a !== null && p99b !== null && p99c !== null;
    const c99 = p99c ?? 0;
    const b99 = p99b ?? 0;
    const bad = decided && c99 > gates.p99Ratio * b99 && c99 - b99 > gates.p99MinDeltaMs && p < (a ?? 0);
    rows.push({
      metric: 'p99 latency ms',
      baseline: p99b,
      canary: p99c,
      statistic: round(z, 3),
      p: round(p, 6),
      verdict: !decided ? 'pending' : bad ? 'fail' : 'pass',
      note: `fails when canary p99 > ${gates.p99Ratio}× baseline (and ${gates.p99MinDeltaMs} ms more) and its share above baseline p99 exceeds 1% (p < α)`,
    });
  }

  {
    const cb = nb > 0 ? (base.cost ?? 0) / nb / 1e6 : null;
    const cc = nc > 0 ? (can.cost ?? 0) / nc / 1e6 : null;
    const mw = mannWhitney(histogram(base, 'c:'), histogram(can, 'c:'));
    const decided = n >= gates.minSamples && a !== null && cb !== null && cc !== null;
    const bad =
      decided && (cc ?? 0) > gates.costRatio * (cb ?? 0) && (cb ?? 0) > 0 && mw.z > 0 && mw.p < (a ?? 0);
    rows.push({
      metric: 'cost per request USD',
      baseline: round(cb, 8),
      canary: round(cc, 8),
      statistic: round(mw.effect),
      p: round(mw.p, 6),
      verdict: !decided ? 'pending' : bad ? 'fail' : 'pass',
      note: `fails when the mean is > ${gates.costRatio}× baseline and the shift is significant`,
    });
  }

  const verdict: Verdict = rows.some((r) => r.verdict === 'fail')
    ? 'fail'
    : rows.some((r) => r.verdict === 'pending')
      ? 'pending'
      : 'pass';
  return {
    samples: { baseline: nb, canary: nc },
    look: spend?.look ?? 0,
    alpha: a === null ? null : round(a, 8),
    rows,
    verdict,
  };
}
