/**
 * The statistics of the comparison, on bucketed counts (the store holds histograms, not samples, so
 * every replica reads the same numbers at a bounded cost). Normal approximations throughout: the
 * gates only decide past a minimum sample size per side.
 */

/** Standard normal upper tail P(Z > z) (Abramowitz–Stegun 7.1.26 through erfc, |error| < 1.5e-7). */
export function upperTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
    Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

export interface ProportionTest {
  readonly baseline: number;
  readonly canary: number;
  readonly diff: number;
  readonly z: number;
  /** One-sided: the canary's rate is higher. */
  readonly p: number;
}

/** Pooled two-proportion z-test, one-sided (canary higher). */
export function twoProportion(xb: number, nb: number, xc: number, nc: number): ProportionTest {
  const pb = nb > 0 ? xb / nb : 0;
  const pc = nc > 0 ? xc / nc : 0;
  const pool = nb + nc > 0 ? (xb + xc) / (nb + nc) : 0;
  const se = Math.sqrt(pool * (1 - pool) * (1 / Math.max(nb, 1) + 1 / Math.max(nc, 1)));
  const z = se > 0 ? (pc - pb) / se : 0;
  return { baseline: pb, canary: pc, diff: pc - pb, z, p: se > 0 ? upperTail(z) : 1 };
}

/** A histogram: bucket index → count. */
export type Histogram = ReadonlyMap<number, number>;

export function total(h: Histogram): number {
  let n = 0;
  for (const c of h.values()) n += c;
  return n;
}

export interface MannWhitney {
  readonly u: number;
  /** P(canary > baseline) + ½ P(tie): 0.5 means no shift. */
  readonly effect: number;
  readonly z: number;
  /** Two-sided. */
  readonly p: number;
}

/**
 * Mann–Whitney U of canary against baseline over shared buckets (values in one bucket are ties),
 * with the tie-corrected variance.
 */
export function mannWhitney(baseline: Histogram, canary: Histogram): MannWhitney {
  const nb = total(baseline);
  const nc = total(canary);
  if (nb === 0 || nc === 0) return { u: 0, effect: 0.5, z: 0, p: 1 };
  const keys = [...new Set([...baseline.keys(), ...canary.keys()])].sort((a, b) => a - b);
  let below = 0; // baseline values in lower buckets
  let u = 0;
  let ties = 0;
  for (const k of keys) {
    const b = baseline.get(k) ?? 0;
    const c = canary.get(k) ?? 0;
    u += c * (below + b / 2);
    below += b;
    const t = b + c;
    ties += t * t * t - t;
  }
  const n = nb + nc;
  const mean = (nb * nc) / 2;
  const variance = ((nb * nc) / 12) * (n + 1 - ties / (n * (n - 1)));
  const z = variance > 0 ? (u - mean) / Math.sqrt(variance) : 0;
  return { u, effect: u / (nb * nc), z, p: variance > 0 ? 2 * upperTail(Math.abs(z)) : 1 };
}

/**
 * Log-linear buckets: exact below 64, then 16 per doubling (about 4.4% wide), so token counts,
 * milliseconds and micro-dollars share one bounded scheme (a few hundred buckets at most).
 */
export function bucketOf(v: number): number {
  const x = Math.max(0, Math.round(v));
  if (x < 64) return x;
  return 64 + Math.floor(Math.log2(x / 64) * 16);
}

/** The lower edge of a bucket (its representative value). */
export function bucketValue(bucket: number): number {
  if (bucket < 64) return bucket;
  return Math.round(64 * 2 ** ((bucket - 64) / 16));
}

/** The q-quantile of a histogram (bucket lower edge), or null when empty. */
export function quantile(h: Histogram, q: number): number | null {
  const n = total(h);
  if (n === 0) return null;
  const rank = Math.ceil(q * n);
  let seen = 0;
  for (const k of [...h.keys()].sort((a, b) => a - b)) {
    seen += h.get(k) ?? 0;
    if (seen >= rank) return bucketValue(k);
  }
  return null;
}

/** How many values of `h` lie in buckets above the bucket of `v`. */
export function countAbove(h: Histogram, v: number): number {
  const edge = bucketOf(v);
  let n = 0;
  for (const [k, c] of h) if (k > edge) n += c;
  return n;
}

/**
 * Alpha spending over looks at doubling sample sizes: look k (n ≥ minSamples·2^(k-1)) may spend
 * α/(k(k+1)); the sum over all looks is α, so however long the canary runs, the chance that noise
 * alone rolls it back stays below α (per gate; the caller divides by the number of gates).
 * Null before the first look.
 */
export function alphaAtLook(
  n: number,
  minSamples: number,
  alpha: number,
): { look: number; alpha: number } | null {
  if (n < minSamples) return null;
  const look = Math.floor(Math.log2(n / minSamples)) + 1;
  return { look, alpha: alpha / (look * (look + 1)) };
}
