/**
 * Builds models/charlm.json, the character trigram LM of benign text the adversarial-suffix signal
 * scores against (src/guard/detectors/charlm.ts). Trained on the label-0 rows of the dev sets
 * (ordinary prompts, task instructions, code, documents) and this repository's TypeScript source,
 * never downloaded. Deterministic for a given checkout.
 *
 *   npx tsx scripts/train-charlm.ts [--data FILE]... [--out models/charlm.json]
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeCharLm, fitCharLm } from '../src/guard/detectors/charlm.js';
import { sanitise } from '../src/guard/normalise.js';
import { codeCorpus, lmCounts, loadRows } from './injection-train-lib.js';

const DEFAULT_DATA = ['injection-dev.jsonl', 'injection-dev-more.jsonl'].map((f) =>
  resolve(import.meta.dirname, `../../shared/datasets/${f}`),
);
const { values } = parseArgs({
  options: {
    data: { type: 'string', multiple: true },
    out: { type: 'string', default: resolve(import.meta.dirname, '../models/charlm.json') },
  },
});
const data = values.data ?? DEFAULT_DATA;
const benign = loadRows(data).filter((r) => r.label === 0);
const lm = fitCharLm(lmCounts(benign.map((r) => sanitise(r.text))));
const names = data.map((p) => p.split('/').pop()).join(' + ');
writeFileSync(
  values.out,
  `${JSON.stringify(encodeCharLm(lm, `${names}: ${benign.length} label-0 rows + src/**/*.ts (${codeCorpus().length} files)`))}\n`,
);
console.log(`wrote ${values.out} from ${benign.length} benign rows`);
