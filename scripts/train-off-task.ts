/**
 * Fits the off-task model (src/guard/detectors/off-task.ts) and writes models/off-task.json.
 * Deterministic (full-batch gradient descent from zero, sorted rows).
 *
 *   npx tsx scripts/train-off-task.ts [--data FILE]... [--out models/off-task.json]
 *
 * Weights: class-balanced logistic regression on the feature vectors of every row of both dev files
 * (each read as one text: its data-referring sentences stand for the user's request). Threshold: on
 * grouped out-of-fold probabilities (scripts/injection-groups.ts, 5 folds), the best F1 of the score
 * alone with at most OWN_FPR_BUDGET (1 %) false positives (scripts/eval-nested.ts's rule for the
 * off-task score's own threshold). The gateway re-centres the probability on it, so the route's
 * `injection.offTaskThreshold` of 0.5 is that point. The figure to publish is eval-nested's.
 */
import { writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fitCombiner } from '../src/guard/detectors/injection-signals.js';
import {
  OFF_TASK_FEATURES,
  type OffTaskModelFile,
  offTaskProbability,
  offTaskVector,
} from '../src/guard/detectors/off-task.js';
import { fold, sanitise } from '../src/guard/normalise.js';
import { pickOwnThreshold } from './eval-nested.js';
import { assignFolds, groupRows } from './injection-groups.js';
import { loadRows } from './injection-train-lib.js';

const DATASETS = resolve(import.meta.dirname, '../../shared/datasets');
const { values } = parseArgs({
  options: {
    data: { type: 'string', multiple: true },
    out: { type: 'string', default: resolve(import.meta.dirname, '../models/off-task.json') },
  },
});
const data = values.data ?? [
  resolve(DATASETS, 'injection-dev.jsonl'),
  resolve(DATASETS, 'injection-dev-more.jsonl'),
];
const rows = loadRows(data);
const vecs = rows.map((r) => offTaskVector(fold(sanitise(r.text)), null));
const labels = rows.map((r) => r.label);
const K = 5;
const foldOf = assignFolds(groupRows(rows).group, K);
const oof = new Array<number>(rows.length).fill(0);
for (let k = 0; k < K; k++) {
  const tr = rows.flatMap((_, i) => (foldOf[i] === k ? [] : [i]));
  const m = {
    ...fitCombiner(
      tr.map((i) => vecs[i]!),
      tr.map((i) => labels[i]!),
    ),
    threshold: 0.5,
  };
  rows.forEach((_, i) => {
    if (foldOf[i] === k) oof[i] = offTaskProbability(m, vecs[i]!);
  });
}
const threshold = pickOwnThreshold(new Array<number>(rows.length).fill(0), oof, labels);
const fit = fitCombiner(vecs, labels);
const file: OffTaskModelFile = {
  version: 1,
  features: [...OFF_TASK_FEATURES],
  weights: fit.weights.map((w) => Number(w.toFixed(5))),
  bias: Number(fit.bias.toFixed(5)),
  // No threshold kept the false positives within budget: the score never fires (1 is unreachable).
  threshold: Number.isFinite(threshold) ? threshold : 1,
  trainedOn: `${data.map((p) => basename(p)).join(' + ')} (${rows.length} rows), grouped ${K}-fold threshold`,
};
writeFileSync(values.out, `${JSON.stringify(file, null, 2)}\n`);
process.stdout.write(`wrote ${values.out}: threshold ${file.threshold}\n`);
