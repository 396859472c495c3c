/**
 * Trains the injection classifier and writes models/injection.json. Deterministic: fixed seeds, fixed
 * epochs, sorted inputs, so re-running on the same data gives the same file.
 *
 *   npx tsx scripts/train-injection.ts [--data FILE]... [--out models/injection.json]
 *
 * Data: the first-round dev set (see DEFAULT_DATA) plus the hand-written supplement
 * (scripts/injection-synthetic.ts). Besides the classifier it fits the combiner
 * (src/guard/detectors/injection-signals.ts) on the grouped out-of-fold classifier probabilities,
 * with the character LM fitted on each fold's training rows, as scripts/eval-nested.ts does inside
 * each outer fold; the shipped character LM is scripts/train-charlm.ts's.
 * The thresholds are picked by the same rule scripts/eval-nested.ts applies inside each outer fold: on
 * out-of-fold predictions of grouped folds (source datasets and near-duplicate clusters never split,
 * scripts/injection-groups.ts) over the rows of every file, the best F1 whose false-positive rate
 * stays at or under 2.5 % pooled and under MAX_GROUP_FPR on every benign group
 * (injection-train-lib.ts pickThreshold). The grouped-CV scores printed here are the ones the
 * thresholds were chosen on, so they are optimistic; the figure to publish is scripts/eval-nested.ts's.
 */
import { writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { recentre } from '../src/guard/detectors/injection.js';
import {
  encodeWeights,
  type InjectionModelFile,
  MODEL_DIM_BITS,
} from '../src/guard/detectors/injection-model.js';
import { combine, SIGNAL_DIM, SIGNALS_VERSION } from '../src/guard/detectors/injection-signals.js';
import { assignFolds, groupRows } from './injection-groups.js';
import { syntheticRows } from './injection-synthetic.js';
import {
  decide,
  decideAll,
  fitCombinerWithThreshold,
  fitLm,
  loadRows,
  metrics,
  pickThreshold,
  predict,
  prepare,
  train,
  vectorOf,
} from './injection-train-lib.js';

/**
 * The classifier learns the attacks of the first-round file only, and the benign rows of every
 * file: trained on the second file's attacks as well it learns its planted questions (the same
 * questions its benign rows ask on their own, in many languages) as "a foreign question is an
 * attack", which flagged three quarters of them once their group was held out (bench/README.md).
 * The benign rows of the second file (system prompts, code, passages, security questions) are the
 * ordinary domains it otherwise flagged. The combiner's signals learn from both files; for rows the
 * classifier does not train on, its fold predictions are out of sample as well.
 */
const DATASETS = resolve(import.meta.dirname, '../../shared/datasets');
const DEFAULT_DATA = [resolve(DATASETS, 'injection-dev.jsonl')];
const DEFAULT_COMBINER_DATA = [
  resolve(DATASETS, 'injection-dev.jsonl'),
  resolve(DATASETS, 'injection-dev-more.jsonl'),
];

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', multiple: true },
    'combiner-data': { type: 'string', multiple: true },
    out: { type: 'string', default: resolve(import.meta.dirname, '../models/injection.json') },
    epochs: { type: 'string', default: '30' },
    l2: { type: 'string', default: '1e-3' },
    synthetic: { type: 'string', default: '20' },
  },
});

const epochs = Number(args.epochs);
const l2 = Number(args.l2);
const data = args.data ?? DEFAULT_DATA;
const clsFiles = new Set(data.map((p) => basename(p)));
const combinerData = [
  ...new Set([...data, ...(args['combiner-data'] ?? DEFAULT_COMBINER_DATA)].map((p) => resolve(p))),
];
const rows = loadRows(combinerData);
const synth = syntheticRows(Number(args.synthetic));
const allEx = prepare(rows);
const synthEx = prepare(synth);
const isCls = rows.map((r) => clsFiles.has(r.file) || r.label === 0);

// Grouped 5-fold out-of-fold predictions over every row (source datasets and near-duplicate
// clusters never split); the supplement is always in training.
const K = 5;
const { group } = groupRows(rows);
const fold = assignFolds(group, K);
const oof = new Array<number>(allEx.length).fill(0);
const oofVec = new Array<Float64Array>(allEx.length);
for (let k = 0; k < K; k++) {
  const m = train([...allEx.filter((_, i) => fold[i] !== k && isCls[i]), ...synthEx], epochs, l2, 7 + k);
  const ctx = fitLm([...allEx.filter((_, i) => fold[i] !== k), ...synthEx]);
  allEx.forEach((ex, i) => {
    if (fold[i] !== k) return;
    oof[i] = predict(m, ex);
    oofVec[i] = vectorOf(ctx, ex);
  });
}
// The classifier's threshold: on the out-of-fold predictions of every row, with every benign group's
// false-positive rate bounded (the rows it never trains on are the domains it has not seen).
const labels = allEx.map((ex) => ex.label);
const groups = [...group];
const threshold = pickThreshold(
  allEx.map((ex) => ex.sig),
  oof,
  labels,
  groups,
);
const devEx = allEx.filter((_, i) => isCls[i]);
const cv = metrics(
  allEx.map((ex, i) => decide(ex.sig, oof[i] ?? 0, threshold)),
  labels,
);
console.log(`threshold ${threshold}`);
console.log(
  'signatures + classifier, grouped 5-fold CV on all files (threshold chosen on it: optimistic)',
  cv,
);
const vecOf = (i: number): Float64Array => oofVec[i] ?? new Float64Array(SIGNAL_DIM);
const combiner = fitCombinerWithThreshold(
  allEx.map((_, i) => vecOf(i)),
  allEx.map((ex, i) => Math.max(ex.sig, recentre(oof[i] ?? 0, threshold))),
  labels,
  groups,
);
const cvCombined = metrics(
  allEx.map((ex, i) =>
    decideAll(ex.sig, oof[i] ?? 0, threshold, combine(combiner, vecOf(i)), combiner.threshold),
  ),
  labels,
);
console.log('combiner', combiner);
console.log('with the combiner, grouped 5-fold CV on all files (optimistic likewise)', cvCombined);

const final = train([...devEx, ...synthEx], epochs, l2, 7);
const enc = encodeWeights(final.w);
const file: InjectionModelFile = {
  version: 1,
  dimBits: MODEL_DIM_BITS,
  bias: final.b,
  scale: enc.scale,
  weights: enc.weights,
  threshold,
  combiner: {
    weights: combiner.weights.map((w) => Number(w.toFixed(5))),
    bias: Number(combiner.bias.toFixed(5)),
    threshold: combiner.threshold,
    signals: SIGNALS_VERSION,
  },
  trainedOn: `classifier: attacks of ${[...clsFiles].join(' + ')}, benign rows of all (${devEx.length} rows) + ${synth.length} synthetic rows; combiner: ${combinerData.map((p) => basename(p)).join(' + ')} (${rows.length} rows); epochs ${epochs}, l2 ${l2}`,
  metrics: {
    groupedCvF1: Number(cv.f1.toFixed(4)),
    groupedCvPrecision: Number(cv.precision.toFixed(4)),
    groupedCvRecall: Number(cv.recall.toFixed(4)),
    groupedCvFpr: Number(cv.fpr.toFixed(4)),
    groupedCvCombinedF1: Number(cvCombined.f1.toFixed(4)),
    groupedCvCombinedFpr: Number(cvCombined.fpr.toFixed(4)),
  },
};
writeFileSync(args.out!, `${JSON.stringify(file)}\n`);
console.log(`wrote ${args.out}`);
