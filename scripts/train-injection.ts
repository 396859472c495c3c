/**
 * Trains the injection classifier and writes models/injection.json. Deterministic: fixed seeds, fixed
 * epochs, sorted inputs, so re-running on the same data gives the same file.
 *
 *   npx tsx scripts/train-injection.ts [--data ../shared/datasets/injection-dev.jsonl] [--out models/injection.json]
 *
 * Data: the labelled dev set plus the hand-written supplement (scripts/injection-synthetic.ts).
 * Before the final fit it reports 5-fold cross-validated scores (out-of-fold predictions, the
 * supplement always in the training folds) for the classifier, the signatures and both together, and
 * leave-one-source-out scores (each upstream repository held out in turn, with per-source recall and
 * false-positive rate). The classifier threshold is picked on the leave-one-source-out predictions:
 * the best F1 whose false-positive rate on benign rows stays at or under 2.5 % (the target is 3 %).
 * SWEEP=1 prints both estimates at other thresholds; SHOW_LOSO_ERRORS=1 lists the held-out errors.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MENTION_SCORE, quotedMention, recentre } from '../src/guard/detectors/injection.js';
import {
  encodeWeights,
  features,
  type InjectionModelFile,
  MODEL_DIM,
  MODEL_DIM_BITS,
  structure,
} from '../src/guard/detectors/injection-model.js';
import { SIGNATURES } from '../src/guard/detectors/injection-signatures.js';
import { fold, sanitise } from '../src/guard/normalise.js';
import { type Row, rng, syntheticRows } from './injection-synthetic.js';

const { values: args } = parseArgs({
  options: {
    data: {
      type: 'string',
      default: resolve(import.meta.dirname, '../../shared/datasets/injection-dev.jsonl'),
    },
    out: { type: 'string', default: resolve(import.meta.dirname, '../models/injection.json') },
    epochs: { type: 'string', default: '30' },
    l2: { type: 'string', default: '1e-3' },
    synthetic: { type: 'string', default: '20' },
  },
});

interface Example {
  readonly feats: Uint32Array;
  /** Structure features: added to the logit without the length normalisation. */
  readonly struct: Uint32Array;
  readonly label: 0 | 1;
  readonly sig: number;
  readonly source: string;
}

function load(path: string): Array<Row & { source: string }> {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { text: string; label: 0 | 1; source?: string })
    .map((r) => ({ text: r.text, label: r.label, source: r.source ?? 'unknown' }));
}

function prepare(rows: ReadonlyArray<Row & { source?: string }>): Example[] {
  return rows.map((r) => {
    const folded = fold(sanitise(r.text));
    let sig = 0;
    for (const s of SIGNATURES) {
      if (s.indirectOnly || s.weight <= sig) continue;
      // The same scan as the detector: the first match, demoted when it is only a quoted mention.
      const m = s.re.exec(folded);
      if (m !== null)
        sig = Math.max(sig, quotedMention(folded, m.index, m.index + m[0].length) ? MENTION_SCORE : s.weight);
    }
    return {
      feats: features(folded),
      struct: structure(folded),
      label: r.label,
      sig,
      source: r.source ?? 'synthetic',
    };
  });
}

function train(
  data: readonly Example[],
  epochs: number,
  l2: number,
  seed: number,
): { w: Float32Array; b: number } {
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

function predict(m: { w: Float32Array; b: number }, ex: Example): number {
  let z = m.b;
  for (const f of ex.feats) z += m.w[f]!;
  z = m.b + (z - m.b) / Math.sqrt(Math.max(1, ex.feats.length));
  for (const f of ex.struct) z += m.w[f]!;
  return 1 / (1 + Math.exp(-z));
}

function metrics(
  pred: readonly boolean[],
  gold: readonly Example[],
): { f1: number; precision: number; recall: number; fpr: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  pred.forEach((p, i) => {
    const y = gold[i]!.label === 1;
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
  };
}

const epochs = Number(args.epochs);
const l2 = Number(args.l2);
const dev = load(args.data!).sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
const synth = syntheticRows(Number(args.synthetic));
const devEx = prepare(dev);
const synthEx = prepare(synth);

// 5-fold stratified cross-validation on the dev rows.
const K = 5;
const fold_ = devEx.map((_, i) => i % K);
const oof = new Float64Array(devEx.length);
for (let k = 0; k < K; k++) {
  const tr = [...devEx.filter((_, i) => fold_[i] !== k), ...synthEx];
  const m = train(tr, epochs, l2, 7 + k);
  devEx.forEach((ex, i) => {
    if (fold_[i] === k) oof[i] = predict(m, ex);
  });
}
// Leave-one-source-out: each upstream repository in turn is held out, as the hidden holdout's
// sources are. This is the better estimate of how the classifier does on text from elsewhere, so the
// threshold is picked on these predictions (best F1 whose false-positive rate on benign rows stays at
// or under 2.5 %; the target is 3 %), not on the 5-fold ones, which are over-confident.
const repo = (src: string): string => src.split('/').slice(0, 2).join('/');
const groups = [...new Set(devEx.map((ex) => repo(ex.source)))].sort();
const lo = new Float64Array(devEx.length);
for (const g of groups) {
  const m = train([...devEx.filter((ex) => repo(ex.source) !== g), ...synthEx], epochs, l2, 11);
  devEx.forEach((ex, i) => {
    if (repo(ex.source) === g) lo[i] = predict(m, ex);
  });
}
let threshold = 0.5;
let bestF1 = -1;
for (let c = 30; c <= 95; c++) {
  const t = c / 100;
  const m = metrics(
    devEx.map((ex, i) => ex.sig >= 0.5 || lo[i]! >= t),
    devEx,
  );
  if (m.fpr <= 0.025 && m.f1 > bestF1) {
    bestF1 = m.f1;
    threshold = t;
  }
}
const cvModel = metrics(
  devEx.map((_, i) => oof[i]! >= threshold),
  devEx,
);
const cvSig = metrics(
  devEx.map((ex) => ex.sig >= 0.5),
  devEx,
);
const cvBoth = metrics(
  devEx.map((ex, i) => Math.max(ex.sig, recentre(oof[i]!, threshold)) >= 0.5),
  devEx,
);
console.log(`threshold ${threshold}`);
console.log('5-fold CV  classifier', cvModel);
console.log('5-fold CV  signatures', cvSig);
console.log('5-fold CV  combined  ', cvBoth);
const bySource = new Map<string, { n: number; wrong: number }>();
devEx.forEach((ex, i) => {
  const key = `${ex.source.split('/').slice(-1)[0]} [${ex.label}]`;
  const e = bySource.get(key) ?? { n: 0, wrong: 0 };
  e.n++;
  if (Math.max(ex.sig, recentre(oof[i]!, threshold)) >= 0.5 !== (ex.label === 1)) e.wrong++;
  bySource.set(key, e);
});
for (const [k, v] of [...bySource].sort()) if (v.wrong > 0) console.log(`  errors ${k}: ${v.wrong}/${v.n}`);

const losoPred = devEx.map((ex, i) => Math.max(ex.sig, recentre(lo[i]!, threshold)) >= 0.5);
const loso = metrics(losoPred, devEx);
{
  const pred = losoPred;
  console.log('leave-one-source-out combined', loso);
  if (process.env.SHOW_LOSO_ERRORS) {
    devEx.forEach((ex, i) => {
      if (pred[i] !== (ex.label === 1) && !ex.source.includes('BIPIA'))
        console.log(
          ex.label,
          ex.sig,
          lo[i]!.toFixed(2),
          ex.source.split('/').pop(),
          JSON.stringify(dev[i]!.text.slice(0, 160)),
        );
    });
  }
  if (process.env.SWEEP) {
    for (const t of [0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]) {
      const m = metrics(
        devEx.map((ex, i) => Math.max(ex.sig, recentre(lo[i]!, t)) >= 0.5),
        devEx,
      );
      const k = metrics(
        devEx.map((ex, i) => Math.max(ex.sig, recentre(oof[i]!, t)) >= 0.5),
        devEx,
      );
      console.log(
        `  t=${t} loso f1 ${m.f1.toFixed(3)} fpr ${m.fpr.toFixed(3)} | 5fold f1 ${k.f1.toFixed(3)} fpr ${k.fpr.toFixed(3)}`,
      );
    }
  }
  for (const g of groups) {
    const idx = devEx.map((ex, i) => (repo(ex.source) === g ? i : -1)).filter((i) => i >= 0);
    const m = metrics(
      idx.map((i) => pred[i]!),
      idx.map((i) => devEx[i]!),
    );
    console.log(`  ${g}: recall ${m.recall.toFixed(3)} fpr ${m.fpr.toFixed(3)} (n=${idx.length})`);
  }
}

const final = train([...devEx, ...synthEx], epochs, l2, 7);
const enc = encodeWeights(final.w);
const file: InjectionModelFile = {
  version: 1,
  dimBits: MODEL_DIM_BITS,
  bias: final.b,
  scale: enc.scale,
  weights: enc.weights,
  threshold,
  trainedOn: `injection-dev.jsonl (${dev.length} rows) + ${synth.length} synthetic rows; epochs ${epochs}, l2 ${l2}`,
  metrics: {
    cvF1: Number(cvBoth.f1.toFixed(4)),
    cvPrecision: Number(cvBoth.precision.toFixed(4)),
    cvRecall: Number(cvBoth.recall.toFixed(4)),
    cvFpr: Number(cvBoth.fpr.toFixed(4)),
    losoF1: Number(loso.f1.toFixed(4)),
    losoPrecision: Number(loso.precision.toFixed(4)),
    losoRecall: Number(loso.recall.toFixed(4)),
    losoFpr: Number(loso.fpr.toFixed(4)),
  },
};
writeFileSync(args.out!, `${JSON.stringify(file)}\n`);
console.log(`wrote ${args.out}`);
if (process.env.SHOW_ERRORS) {
  devEx.forEach((ex, i) => {
    const p = Math.max(ex.sig, recentre(oof[i]!, threshold)) >= 0.5;
    if (p !== (ex.label === 1) && !ex.source.includes('BIPIA'))
      console.log(ex.label, ex.source.split('/').pop(), JSON.stringify(dev[i]!.text.slice(0, 220)));
  });
}
