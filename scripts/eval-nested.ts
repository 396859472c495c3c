/**
 * Grouped nested cross-validation of the injection detector's whole training procedure (classifier
 * fit + threshold rule + signatures), the figure to publish.
 *
 *   npx tsx scripts/eval-nested.ts [--data FILE]... [--classifier-data FILE]... [--outer 5] [--inner 3] [--json]
 *
 * `--classifier-data injection-dev.jsonl` evaluates the procedure of scripts/train-injection.ts: the
 * bag-of-words classifier learns the attacks of the first-round file and the benign rows of every
 * file; the combiner learns from all rows.
 *
 * - Groups (scripts/injection-groups.ts): source datasets and near-duplicate clusters across
 *   sources; a group is never split between training and test.
 * - Outer folds: whole groups. Inside each outer fold the threshold is picked on out-of-fold
 *   predictions of inner grouped folds over the outer-training rows only, then the classifier is fitted
 *   on all outer-training rows and scored once on the outer test fold. The threshold rule
 *   (injection-train-lib.ts pickThreshold) bounds the false-positive rate pooled and on every inner
 *   held-out benign group, over the inner rows of every file (also those the classifier never
 *   trains on: they are the unseen domains).
 * - Synthetic rows (scripts/injection-synthetic.ts) are never scored. They are their own group and
 *   stay in training, except those that are near-duplicates of a dev row: those follow that row's
 *   group, so they are out of training whenever it is tested.
 * - Signatures are model parameters written by hand. Four views:
 *     all        every signature;
 *     no-narrow  signatures matching only 1-2 dev rows removed (the phrase-tuned shape);
 *     fold-local in each outer fold, a signature whose dev matches all lie in that test fold is off
 *                (it could only have been written from those rows);
 *     none       classifier alone.
 * - The signals (src/guard/detectors/injection-signals.ts: classifier, adversarial-suffix character LM,
 *   harmful intent, flooding, instruction override, delimiter runs) are combined by a logistic model fitted inside each outer
 *   fold on the inner out-of-fold classifier probabilities, with the character LM itself fitted on the
 *   benign rows of each training split. Views `combined` (all signatures + combiner) and
 *   `combined-fold-local` (fold-local signatures + combiner) are what the shipped detector does.
 *   The harm lexicon is hand-written from category definitions and is not refitted per fold.
 * - The off-task model (src/guard/detectors/off-task.ts: indirect injection judged relative to the
 *   rest of the text) is fitted inside each outer fold; its own threshold is picked on the inner
 *   out-of-fold probabilities, given the combined view's inner decisions (the detector raises a
 *   finding when either fires). Views `combined+off-task` and `combined-fold-local+off-task`. The
 *   dev rows are single texts, so the user's request is the sentences that refer to the data (no
 *   separate user turn): the relative-to-the-user's-turn case is covered by tests, not by this figure.
 * Prints F1, precision, recall and FPR per outer fold and pooled over all test rows; `--why` adds,
 * per source, which part raised each decision (signature, classifier, combiner:<strongest signal>).
 */
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { recentre } from '../src/guard/detectors/injection.js';
import { combine, dominantSignal, fitCombiner } from '../src/guard/detectors/injection-signals.js';
import { SIGNATURES } from '../src/guard/detectors/injection-signatures.js';
import { offTaskProbability, offTaskVector } from '../src/guard/detectors/off-task.js';
import { assignFolds, groupRows } from './injection-groups.js';
import { syntheticRows } from './injection-synthetic.js';
import {
  decide,
  decideAll,
  type Example,
  type Fit,
  fitCombinerWithThreshold,
  fitLm,
  loadRows,
  metrics,
  pickThreshold,
  predict,
  prepare,
  type Scores,
  train,
  vectorOf,
} from './injection-train-lib.js';

export const MODES = [
  'all',
  'no-narrow',
  'fold-local',
  'none',
  'combined',
  'combined-fold-local',
  'combined+off-task',
  'combined-fold-local+off-task',
] as const;
/**
 * The view the per-source breakdown reports by default: what the shipped detector does on these rows
 * (single texts scanned as user turns, which the off-task check does not judge).
 */
export const SOURCE_MODE: SignatureMode = 'combined-fold-local';
export type SignatureMode = (typeof MODES)[number];

export interface NestedOptions {
  readonly data: readonly string[];
  readonly outer: number;
  readonly inner: number;
  readonly epochs: number;
  readonly l2: number;
  /** Synthetic rows per template (0: none). */
  readonly synthetic: number;
  /**
   * Base names of the files whose attack rows train the bag-of-words classifier (the shipped
   * procedure: the first-round file); benign rows of every file train it too, the other files'
   * attack rows train the combiner only. All rows when absent.
   */
  readonly classifierFiles?: readonly string[];
  /** The view of the per-source breakdown (default SOURCE_MODE). */
  readonly sourceMode?: SignatureMode;
}

export interface FoldResult {
  readonly fold: number;
  readonly n: number;
  readonly groups: number;
  readonly byMode: Record<SignatureMode, { readonly threshold: number; readonly scores: Scores }>;
}

export interface NestedResult {
  readonly rows: number;
  readonly groups: number;
  readonly nearDupPairs: number;
  /** Dev rows each signature matches (index = SIGNATURES index). */
  readonly devMatches: readonly number[];
  readonly narrow: readonly number[];
  readonly folds: readonly FoldResult[];
  readonly pooled: Record<SignatureMode, Scores>;
  /** The view `bySource` was pooled for. */
  readonly sourceMode: SignatureMode;
  /** Pooled per source (mode `sourceMode`): recall on label 1, FPR on label 0. */
  readonly bySource: Record<string, Scores & { readonly n: number }>;
  /**
   * Per source (mode `sourceMode`): which part raised each positive decision, label 0 and label 1
   * apart: `signature`, `classifier`, `combiner:<dominant signal>`, `off-task` (a row can count
   * under several). Says which signal causes the held-out false positives.
   */
  readonly whyBySource: Record<
    string,
    { readonly benign: Record<string, number>; readonly attack: Record<string, number> }
  >;
}

const DEFAULT_DATA = [
  resolve(import.meta.dirname, '../../shared/datasets/injection-dev.jsonl'),
  resolve(import.meta.dirname, '../../shared/datasets/injection-dev-more.jsonl'),
];

/** Signature score of a row with some signatures switched off. */
function sigScore(ex: Example, off: ReadonlySet<number>, none: boolean): number {
  if (none) return 0;
  let s = 0;
  for (const [i, w] of ex.hits) if (!off.has(i) && w > s) s = w;
  return s;
}

export function runNested(opts: NestedOptions): NestedResult {
  const dev = loadRows(opts.data);
  // Each synthetic row is its own source key: it joins a dev group only as a near-duplicate.
  const synth = syntheticRows(opts.synthetic).map((r, i) => ({ ...r, source: `synthetic/row-${i}` }));
  const rows = [...dev, ...synth];
  const ex = prepare(rows);
  const sourceMode = opts.sourceMode ?? SOURCE_MODE;
  const isDev = (i: number): boolean => i < dev.length;
  const clsFiles = opts.classifierFiles === undefined ? null : new Set(opts.classifierFiles);
  /** Rows the classifier trains on and picks its threshold from: synthetic ones and those files. */
  // Benign rows of every file as well: they teach it ordinary domains (system prompts, code,
  // passages). The other files' attack rows stay out: their planted requests are the same questions
  // the benign rows ask on their own, a pairing it can only learn as "a foreign question is an attack".
  const forClassifier = (i: number): boolean =>
    !isDev(i) || clsFiles === null || clsFiles.has(dev[i]!.file) || dev[i]!.label === 0;
  const { group, nearDupPairs } = groupRows(rows);

  // Outer folds over the groups that hold dev rows; a synthetic row follows its group's fold, or is
  // always in training (-1) when its group holds no dev row.
  const devFold = assignFolds(group.subarray(0, dev.length), opts.outer);
  const foldOfGroup = new Map<number, number>();
  for (let i = 0; i < dev.length; i++) foldOfGroup.set(group[i]!, devFold[i]!);
  const fold = Int32Array.from(rows, (_, i) => foldOfGroup.get(group[i]!) ?? -1);

  const devMatches = SIGNATURES.map(() => 0);
  const matchFolds = SIGNATURES.map(() => new Set<number>());
  for (let i = 0; i < dev.length; i++)
    for (const [s] of ex[i]!.hits) {
      devMatches[s]!++;
      matchFolds[s]!.add(fold[i]!);
    }
  const narrow = devMatches.flatMap((n, s) => (n >= 1 && n <= 2 ? [s] : []));

  const pooledPred: Record<SignatureMode, boolean[]> = {
    all: [],
    'no-narrow': [],
    'fold-local': [],
    none: [],
    combined: [],
    'combined-fold-local': [],
    'combined+off-task': [],
    'combined-fold-local+off-task': [],
  };
  const otVec = ex.map((e) => offTaskVector(e.folded, null));
  const offTaskFit = (idx: readonly number[]) =>
    offTaskFitOn(
      idx.map((i) => otVec[i]!),
      idx.map((i) => ex[i]!.label),
    );
  const pooledLabels: Array<0 | 1> = [];
  const bySourcePred = new Map<string, { pred: boolean[]; labels: Array<0 | 1> }>();
  const whyBySource: NestedResult['whyBySource'] = {};
  const why = (src: string, label: 0 | 1, part: string): void => {
    const e = (whyBySource[src] ??= { benign: {}, attack: {} });
    const m = label === 1 ? e.attack : e.benign;
    m[part] = (m[part] ?? 0) + 1;
  };
  const folds: FoldResult[] = [];

  for (let k = 0; k < opts.outer; k++) {
    const trainIdx = rows.map((_, i) => i).filter((i) => fold[i] !== k);
    const testIdx = rows.map((_, i) => i).filter((i) => fold[i] === k && isDev(i));
    const foldLocal = new Set(matchFolds.flatMap((fs, s) => (fs.size === 1 && fs.has(k) ? [s] : [])));
    const off: Record<SignatureMode, Set<number>> = {
      all: new Set(),
      'no-narrow': new Set(narrow),
      'fold-local': foldLocal,
      none: new Set(),
      combined: new Set(),
      'combined-fold-local': foldLocal,
      'combined+off-task': new Set(),
      'combined-fold-local+off-task': foldLocal,
    };

    // Inner grouped folds over the outer-training rows that belong to a dev group.
    const inGroup = trainIdx.filter((i) => fold[i] !== -1);
    const innerOf = new Map<number, number>();
    const innerFold = assignFolds(
      inGroup.map((i) => group[i]!),
      opts.inner,
    );
    inGroup.forEach((i, j) => {
      innerOf.set(i, innerFold[j]!);
    });
    const oofIdx: number[] = [];
    const oofP: number[] = [];
    const oofVec: Float64Array[] = [];
    const oofOt: number[] = [];
    for (let j = 0; j < opts.inner; j++) {
      const innerTrain = trainIdx.filter((i) => innerOf.get(i) !== j).map((i) => ex[i]!);
      const fit = train(
        trainIdx.filter((i) => innerOf.get(i) !== j && forClassifier(i)).map((i) => ex[i]!),
        opts.epochs,
        opts.l2,
        101 + 10 * k + j,
      );
      const ctx = fitLm(innerTrain);
      const innerOt = offTaskFit(trainIdx.filter((i) => innerOf.get(i) !== j));
      for (const i of inGroup)
        if (innerOf.get(i) === j && isDev(i)) {
          oofIdx.push(i);
          oofP.push(predict(fit, ex[i]!));
          oofVec.push(vectorOf(ctx, ex[i]!));
          oofOt.push(offTaskProbability(innerOt, otVec[i]!));
        }
    }
    const outerFit: Fit = train(
      trainIdx.filter(forClassifier).map((i) => ex[i]!),
      opts.epochs,
      opts.l2,
      7 + k,
    );
    const testP = testIdx.map((i) => predict(outerFit, ex[i]!));
    const outerCtx = fitLm(trainIdx.map((i) => ex[i]!));
    const testVec = testIdx.map((i) => vectorOf(outerCtx, ex[i]!));
    const outerOt = offTaskFit(trainIdx);
    const testOt = testIdx.map((i) => offTaskProbability(outerOt, otVec[i]!));
    const labels = testIdx.map((i) => ex[i]!.label);
    const oofLabels = oofIdx.map((i) => ex[i]!.label);
    const oofGroups = oofIdx.map((i) => group[i]!);
    const byMode = {} as FoldResult['byMode'];
    for (const mode of MODES) {
      const sigOf = (i: number): number => sigScore(ex[i]!, off[mode], mode === 'none');
      // Every inner out-of-fold row, not only the classifier's own files: the rows it never trains on are
      // the unseen domains (system prompts, code, passages) whose false positives the group cap bounds.
      const own = oofIdx.map((_, j) => j);
      const threshold = pickThreshold(
        own.map((j) => sigOf(oofIdx[j]!)),
        own.map((j) => oofP[j]!),
        own.map((j) => oofLabels[j]!),
        own.map((j) => group[oofIdx[j]!]!),
      );
      let pred = testIdx.map((i, t) => decide(sigOf(i), testP[t]!, threshold));
      const parts = testIdx.map((i, t) => {
        const out: string[] = [];
        if (sigOf(i) >= 0.5) out.push('signature');
        if (recentre(testP[t]!, threshold) >= 0.5) out.push('classifier');
        return out;
      });
      if (mode !== 'all' && mode !== 'no-narrow' && mode !== 'fold-local' && mode !== 'none') {
        const base = oofIdx.map((i, j) => Math.max(sigOf(i), recentre(oofP[j]!, threshold)));
        const comb = fitCombinerWithThreshold(oofVec, base, oofLabels, oofGroups);
        pred = testIdx.map((i, t) =>
          decideAll(sigOf(i), testP[t]!, threshold, combine(comb, testVec[t]!), comb.threshold),
        );
        testIdx.forEach((_, t) => {
          if (combine(comb, testVec[t]!) >= comb.threshold)
            parts[t]!.push(`combiner:${dominantSignal(comb, testVec[t]!)}`);
        });
        if (mode.endsWith('+off-task')) {
          // Its own threshold, chosen on the inner rows given what the combined view already catches.
          const caught = oofIdx.map((i, j) =>
            decideAll(sigOf(i), oofP[j]!, threshold, combine(comb, oofVec[j]!), comb.threshold) ? 1 : 0,
          );
          const tOff = pickOwnThreshold(caught, oofOt, oofLabels);
          pred = pred.map((p, t) => p || testOt[t]! >= tOff);
          testIdx.forEach((_, t) => {
            if (testOt[t]! >= tOff) parts[t]!.push('off-task');
          });
        }
      }
      byMode[mode] = { threshold, scores: metrics(pred, labels) };
      pooledPred[mode].push(...pred);
      if (mode === sourceMode)
        testIdx.forEach((i, t) => {
          const src = rows[i]!.source.split('#')[0]!;
          const e = bySourcePred.get(src) ?? { pred: [], labels: [] };
          e.pred.push(pred[t]!);
          e.labels.push(ex[i]!.label);
          bySourcePred.set(src, e);
          for (const part of parts[t]!) why(src, ex[i]!.label, part);
        });
    }
    pooledLabels.push(...labels);
    folds.push({
      fold: k,
      n: testIdx.length,
      groups: new Set(testIdx.map((i) => group[i]!)).size,
      byMode,
    });
  }
  const pooled = {} as Record<SignatureMode, Scores>;
  for (const mode of MODES) pooled[mode] = metrics(pooledPred[mode], pooledLabels);
  const bySource: NestedResult['bySource'] = {};
  for (const [src, e] of [...bySourcePred].sort())
    bySource[src] = { n: e.labels.length, ...metrics(e.pred, e.labels) };
  return {
    rows: dev.length,
    groups: new Set(group.subarray(0, dev.length)).size,
    nearDupPairs,
    devMatches,
    narrow,
    folds,
    pooled,
    sourceMode,
    bySource,
    whyBySource,
  };
}

/** The off-task model fitted on some rows (weights only; the threshold is picked by the caller). */
function offTaskFitOn(vecs: readonly Float64Array[], labels: ReadonlyArray<0 | 1>) {
  return { ...fitCombiner(vecs, labels), threshold: 0.5 };
}

/** False positives the off-task score may add to what the other parts already raise (its own budget). */
export const OWN_FPR_BUDGET = 0.01;

/**
 * A score's own threshold given what other parts already catch (`caught`): the best F1 of the union
 * whose false-positive rate stays within OWN_FPR_BUDGET of theirs, or off (Infinity) when none
 * improves on theirs.
 * Finer and wider than pickThreshold's grid: a weak model's useful band can sit above 0.95.
 */
export function pickOwnThreshold(
  caught: readonly number[],
  p: readonly number[],
  labels: ReadonlyArray<0 | 1>,
): number {
  const base = metrics(
    caught.map((c) => c >= 0.5),
    labels,
  );
  // Off unless it improves on what is already caught.
  let best = base.f1;
  let threshold = Number.POSITIVE_INFINITY;
  const cap = base.fpr + OWN_FPR_BUDGET;
  for (let c = 300; c <= 999; c++) {
    const t = c / 1000;
    const m = metrics(
      p.map((pi, i) => caught[i]! >= 0.5 || pi >= t),
      labels,
    );
    if (m.fpr <= cap && m.f1 > best + 1e-9) {
      best = m.f1;
      threshold = t;
    }
  }
  return threshold;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const line = (s: Scores): string =>
  `F1 ${s.f1.toFixed(3)}  P ${pct(s.precision)}  R ${pct(s.recall)}  FPR ${pct(s.fpr)}`;

function main(): void {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', multiple: true },
      outer: { type: 'string', default: '5' },
      inner: { type: 'string', default: '3' },
      epochs: { type: 'string', default: '30' },
      l2: { type: 'string', default: '1e-3' },
      synthetic: { type: 'string', default: '20' },
      'classifier-data': { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      why: { type: 'boolean', default: false },
      'source-view': { type: 'string', default: SOURCE_MODE },
    },
  });
  const sourceMode = values['source-view'] as SignatureMode;
  if (!(MODES as readonly string[]).includes(sourceMode))
    throw new Error(`--source-view: one of ${MODES.join(', ')}`);
  const r = runNested({
    data: values.data ?? DEFAULT_DATA,
    outer: Number(values.outer),
    inner: Number(values.inner),
    epochs: Number(values.epochs),
    l2: Number(values.l2),
    synthetic: Number(values.synthetic),
    classifierFiles: values['classifier-data']?.map((p) => basename(p)),
    sourceMode,
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return;
  }
  const out: string[] = [
    `${r.rows} dev rows, ${r.groups} groups (${r.nearDupPairs} near-duplicate links); ` +
      `${r.narrow.length} narrow signatures (1-2 dev rows): ${r.narrow.map((s) => SIGNATURES[s]!.id).join(', ') || 'none'}`,
  ];
  for (const f of r.folds) {
    out.push(`outer fold ${f.fold}: ${f.n} rows, ${f.groups} groups`);
    for (const m of MODES)
      out.push(`  ${m.padEnd(29)} t=${f.byMode[m].threshold.toFixed(2)}  ${line(f.byMode[m].scores)}`);
  }
  out.push('pooled over outer test folds:');
  for (const m of MODES) out.push(`  ${m.padEnd(29)} ${line(r.pooled[m])}`);
  out.push(`per source (${r.sourceMode}, pooled): recall on label 1 / FPR on label 0`);
  for (const [src, s] of Object.entries(r.bySource)) {
    const pos = s.tp + s.fn;
    const neg = s.fp + s.tn;
    const w = r.whyBySource[src];
    const parts = (m: Record<string, number> | undefined): string =>
      Object.entries(m ?? {})
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
    out.push(
      `  ${src}: ${pos > 0 ? `recall ${pct(s.recall)} (${pos})` : ''}${neg > 0 ? ` FPR ${pct(s.fpr)} (${neg})` : ''}` +
        (values.why && w !== undefined
          ? `\n      raised by: attacks [${parts(w.attack)}] benign [${parts(w.benign)}]`
          : ''),
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
