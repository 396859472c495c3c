/**
 * The pieces shared by scripts/train-injection.ts (fit and ship the classifier) and
 * scripts/eval-nested.ts (estimate how the whole training procedure does on unseen sources): data
 * loading, feature preparation with per-signature matches, the logistic-regression fit, scoring and
 * the threshold rule. One copy, so the evaluation measures exactly what the training script ships.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { countTrigrams, fitCharLm } from '../src/guard/detectors/charlm.js';
import { compileHarmLexicon, type HarmSignals, harmSignals } from '../src/guard/detectors/harm.js';
import { MENTION_SCORE, quotedMention, recentre } from '../src/guard/detectors/injection.js';
import { features, MODEL_DIM, structure } from '../src/guard/detectors/injection-model.js';
import {
  type Combiner,
  combine,
  fitCombiner,
  type SignalContext,
  signalVector,
} from '../src/guard/detectors/injection-signals.js';
import { SIGNATURES } from '../src/guard/detectors/injection-signatures.js';
import { fold, sanitise } from '../src/guard/normalise.js';
import type { Row } from './injection-synthetic.js';
import { rng } from './seeded-rng.js';

export interface SourcedRow extends Row {
  readonly source: string;
  /** Base name of the file the row came from. */
  readonly file: string;
}

export interface Example {
  readonly feats: Uint32Array;
  /** Structure features: added to the logit without the length normalisation. */
  readonly struct: Uint32Array;
  readonly label: 0 | 1;
  /** Best signature score over all signatures (what the shipped detector sees). */
  readonly sig: number;
  /** Every signature that matches: [index into SIGNATURES, score]. */
  readonly hits: ReadonlyArray<readonly [number, number]>;
  readonly source: string;
  /** Sanitised and folded text, for the signals that are fitted per fold (character LM). */
  readonly sanitised: string;
  readonly folded: string;
  readonly harm: HarmSignals;
}

export interface Scores {
  readonly f1: number;
  readonly precision: number;
  readonly recall: number;
  readonly fpr: number;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
}

/** Rows of one or more JSONL files, sorted by text so that file order never changes a result. */
export function loadRows(paths: readonly string[]): SourcedRow[] {
  return paths
    .flatMap((p) =>
      readFileSync(p, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => ({
          ...(JSON.parse(l) as { text: string; label: 0 | 1; source?: string }),
          file: basename(p),
        })),
    )
    .map((r) => ({ text: r.text, label: r.label, source: r.source ?? 'unknown', file: r.file }))
    .sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
}

/** Every signature that matches the folded text, scored as the detector scores it (first match). */
export function signatureHits(folded: string): Array<readonly [number, number]> {
  const hits: Array<readonly [number, number]> = [];
  SIGNATURES.forEach((s, i) => {
    if (s.indirectOnly) return;
    const m = s.re.exec(folded);
    if (m !== null)
      hits.push([i, quotedMention(folded, m.index, m.index + m[0].length) ? MENTION_SCORE : s.weight]);
  });
  return hits;
}

export const HARM_LEXICON = compileHarmLexicon();

export function prepare(rows: ReadonlyArray<Row & { source?: string }>): Example[] {
  return rows.map((r) => {
    const sanitised = sanitise(r.text);
    const folded = fold(sanitised);
    const hits = signatureHits(folded);
    return {
      sanitised,
      folded,
      harm: harmSignals(HARM_LEXICON, folded),
      feats: features(folded),
      struct: structure(folded),
      label: r.label,
      sig: hits.reduce((m, [, s]) => Math.max(m, s), 0),
      hits,
      source: r.source ?? 'synthetic',
    };
  });
}

export interface Fit {
  readonly w: Float32Array;
  readonly b: number;
}

export function train(data: readonly Example[], epochs: number, l2: number, seed: number): Fit {
  const w = new Float32Array(MODEL_DIM);
  let b = 0;
  const pos = data.filter((d) => d.label === 1).length;
  const cw = { 1: data.length / (2 * pos), 0: data.length / (2 * (data.length - pos)) };
  const order = data.map((_, i) => i);
  const r = rng(seed);
  let step = 0;
  for (let e = 0; e < epochs; e++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const k of order) {
      const ex = data[k]!;
      const norm = 1 / Math.sqrt(Math.max(1, ex.feats.length));
      let z = b;
      for (const f of ex.feats) z += w[f]! * norm;
      for (const f of ex.struct) z += w[f]!;
      const p = 1 / (1 + Math.exp(-z));
      const lr = 0.5 / (1 + step++ * 1e-4);
      const g = (p - ex.label) * cw[ex.label];
      for (const f of ex.feats) w[f] = w[f]! * (1 - lr * l2) - lr * g * norm;
      for (const f of ex.struct) w[f] = w[f]! * (1 - lr * l2) - lr * g * 0.1;
      b -= lr * g * 0.1;
    }
  }
  return { w, b };
}

export function predict(m: Fit, ex: Example): number {
  let z = m.b;
  for (const f of ex.feats) z += m.w[f]!;
  z = m.b + (z - m.b) / Math.sqrt(Math.max(1, ex.feats.length));
  for (const f of ex.struct) z += m.w[f]!;
  return 1 / (1 + Math.exp(-z));
}

export function metrics(pred: readonly boolean[], labels: ReadonlyArray<0 | 1>): Scores {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  pred.forEach((p, i) => {
    const y = labels[i] === 1;
    if (p && y) tp++;
    else if (p) fp++;
    else if (y) fn++;
    else tn++;
  });
  const precision = tp / Math.max(1, tp + fp);
  const recall = tp / Math.max(1, tp + fn);
  return {
    f1: (2 * precision * recall) / Math.max(1e-9, precision + recall),
    precision,
    recall,
    fpr: fp / Math.max(1, fp + tn),
    tp,
    fp,
    fn,
    tn,
  };
}

/** The detector's decision: the larger of the signature score and the re-centred probability. */
export const decide = (sig: number, p: number, threshold: number): boolean =>
  Math.max(sig, recentre(p, threshold)) >= 0.5;

/** False-positive rate the threshold rule allows on benign rows (the target is 3 %). */
export const MAX_FPR = 0.025;

/** F1 differences this small are one or two rows on a few hundred attacks: noise, not signal. */
export const F1_TIE = 0.005;

/**
 * False-positive rate the threshold rule allows on each held-out benign group (a source dataset or
 * near-duplicate cluster) with at least MIN_GROUP_BENIGN benign rows. The pooled cap alone let a
 * threshold through that flagged a third of one benign source the model had not seen while the
 * others kept it under the cap on average: the gateway meets a new domain as a whole, so the rule
 * bounds the worst one. 0.08 was chosen among 0.05, 0.08 and 0.12 by the nested evaluation's outer
 * folds (bench/README.md gives all three), so its published figure carries that one choice.
 */
export const MAX_GROUP_FPR = 0.08;
/** Benign rows a group needs before its own false-positive rate is a constraint (one row is 1/n). */
export const MIN_GROUP_BENIGN = 20;

/** Largest false-positive rate over the groups with at least MIN_GROUP_BENIGN benign rows. */
export function worstGroupFpr(
  pred: readonly boolean[],
  labels: ReadonlyArray<0 | 1>,
  groups: readonly number[],
  /** Per group, a false-positive rate that is not counted against the cap (what others already raise). */
  allowance?: ReadonlyMap<number, number>,
): number {
  let worst = 0;
  for (const [g, rate] of groupFprs(pred, labels, groups))
    worst = Math.max(worst, rate - Math.max(0, (allowance?.get(g) ?? 0) - MAX_GROUP_FPR));
  return worst;
}

/** Per group, the false-positive rate of `pred` (groups under MIN_GROUP_BENIGN benign rows left out). */
function groupFprs(
  pred: readonly boolean[],
  labels: ReadonlyArray<0 | 1>,
  groups: readonly number[],
): Map<number, number> {
  const fp = new Map<number, number>();
  const neg = new Map<number, number>();
  labels.forEach((y, i) => {
    if (y !== 0) return;
    const g = groups[i]!;
    neg.set(g, (neg.get(g) ?? 0) + 1);
    if (pred[i]) fp.set(g, (fp.get(g) ?? 0) + 1);
  });
  const out = new Map<number, number>();
  for (const [g, n] of neg) if (n >= MIN_GROUP_BENIGN) out.set(g, (fp.get(g) ?? 0) / n);
  return out;
}

/**
 * The threshold rule, on out-of-sample probabilities `p` with the signature scores `sig`: among
 * thresholds in [lo, hi] whose false-positive rate stays at or under MAX_FPR pooled and, when
 * `groups` (each row's held-out group) is given, at or under MAX_GROUP_FPR on every benign group,
 * the lowest one whose F1 is within F1_TIE of the best. When no threshold meets the caps, the one
 * with the lowest worst-group false-positive rate (the highest on a tie). The F1 curve is flat over
 * a wide band and the higher end of it is fitted to the folds it was picked on: in the nested
 * evaluation (scripts/eval-nested.ts) the lowest threshold of the band held up better on unseen
 * sources (F1 0.83 against 0.64 for the highest and 0.76 for the plain arg-max on the first-round
 * file). That comparison was made on the outer folds, so the published figure carries this one choice.
 */
export function pickThreshold(
  sig: readonly number[],
  p: readonly number[],
  labels: ReadonlyArray<0 | 1>,
  groups?: readonly number[],
  range: { readonly lo: number; readonly hi: number; readonly step: number } = {
    lo: 0.3,
    hi: 0.95,
    step: 0.01,
  },
): number {
  const f1At = new Map<number, number>();
  // What `sig` raises on its own is not this score's doing: a group (or the pool) already over its
  // cap there only forbids thresholds that add false positives to it.
  const basePred = sig.map((s) => s >= 0.5);
  const allowance = groups === undefined ? undefined : groupFprs(basePred, labels, groups);
  const pooledCap = Math.max(MAX_FPR, metrics(basePred, labels).fpr);
  let fallback = range.hi;
  let fallbackWorst = Number.POSITIVE_INFINITY;
  const steps = Math.round((range.hi - range.lo) / range.step);
  for (let c = 0; c <= steps; c++) {
    const t = Number((range.lo + c * range.step).toFixed(4));
    const pred = p.map((pi, i) => sig[i]! >= 0.5 || pi >= t);
    const m = metrics(pred, labels);
    const worst = groups === undefined ? 0 : worstGroupFpr(pred, labels, groups, allowance);
    if (worst <= fallbackWorst) {
      fallbackWorst = worst;
      fallback = t;
    }
    if (m.fpr <= pooledCap + 1e-9 && worst <= MAX_GROUP_FPR + 1e-9) f1At.set(t, m.f1);
  }
  if (f1At.size === 0) return fallback;
  const best = Math.max(-1, ...f1At.values());
  for (const [t, f1] of f1At) if (f1 >= best - F1_TIE) return t;
  return fallback;
}

/**
 * Background text for the character LM that is no dev row: this repository's own TypeScript
 * source, so that code (an ordinary input) is not read as token salad when the code sources of
 * a dev set are held out. Sorted, so the counts are deterministic.
 */
export function codeCorpus(): string[] {
  const root = resolve(import.meta.dirname, '../src');
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort();
  return files.map((f) => readFileSync(join(root, f), 'utf8'));
}

let codeCounts: Float64Array | null = null;

/** The code corpus's trigram counts as shipped (scripts/snapshot-code-trigrams.ts), not as src/ is now. */
function shippedCodeCounts(): Float64Array {
  const file = resolve(import.meta.dirname, '../models/code-trigrams.json');
  const data = JSON.parse(readFileSync(file, 'utf8')) as { cells: number; counts: Array<[number, number]> };
  const out = new Float64Array(data.cells);
  for (const [i, c] of data.counts) out[i] = c;
  return out;
}

/** Trigram counts of the benign rows of a training set plus the code corpus. */
export function lmCounts(texts: readonly string[]): Float64Array {
  codeCounts ??= shippedCodeCounts();
  const counts = countTrigrams(texts);
  for (let i = 0; i < counts.length; i++) counts[i] = (counts[i] ?? 0) + (codeCounts[i] ?? 0);
  return counts;
}

/** The character LM fitted on the benign rows of a training set (and the code corpus). */
export function fitLm(data: readonly Example[]): SignalContext {
  const lm = fitCharLm(lmCounts(data.filter((d) => d.label === 0).map((d) => d.sanitised)));
  return { lm, harm: HARM_LEXICON };
}

export function vectorOf(ctx: SignalContext, ex: Example): Float64Array {
  return signalVector(ctx, ex.sanitised, ex.folded, ex.harm);
}

/**
 * The combiner and its threshold: logistic regression on the signal vectors of training rows
 * (with the character LM of each row's own training split), then the threshold rule on its
 * probabilities where `base` is what already decides a row (signatures and the classifier on the
 * 0.5-centred scale): the false-positive cap holds for the union, as the detector applies it.
 */
export function fitCombinerWithThreshold(
  vecs: readonly Float64Array[],
  base: readonly number[],
  labels: ReadonlyArray<0 | 1>,
  groups?: readonly number[],
): Combiner {
  const fit = fitCombiner(vecs, labels);
  const probs = vecs.map((v) => combine({ ...fit, threshold: 0.5 }, v));
  // Up to 0.999: when no threshold keeps every benign group under its cap, the combiner is all but off.
  return { ...fit, threshold: pickThreshold(base, probs, labels, groups, COMBINER_RANGE) };
}

/** Thresholds the combiner's rule may pick from: finer and wider than the classifier's. */
export const COMBINER_RANGE = { lo: 0.3, hi: 0.999, step: 0.003 } as const;

/** Signatures, classifier and combiner, each on its own threshold: the detector's decision. */
export const decideAll = (
  sig: number,
  p: number,
  threshold: number,
  comb: number,
  combThreshold: number,
): boolean => decide(sig, p, threshold) || comb >= combThreshold;
