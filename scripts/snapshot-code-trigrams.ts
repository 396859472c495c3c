/**
 * Writes models/code-trigrams.json: the character-trigram counts of this repository's TypeScript
 * source, the code background of the injection combiner's character LM. Shipped as data so that
 * training is reproducible from the dataset alone: an edit to src/ no longer changes the weights
 * `scripts/train-injection.ts` fits (test/unit/guard/train.test.ts re-fits and compares).
 *   npx tsx scripts/snapshot-code-trigrams.ts   (then re-run scripts/train-injection.ts)
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { countTrigrams } from '../src/guard/detectors/charlm.js';
import { codeCorpus } from './injection-train-lib.js';

const counts = countTrigrams(codeCorpus());
const sparse: Array<[number, number]> = [];
counts.forEach((c, i) => {
  if (c > 0) sparse.push([i, c]);
});
const out = resolve(import.meta.dirname, '../models/code-trigrams.json');
writeFileSync(out, `${JSON.stringify({ cells: counts.length, counts: sparse })}\n`);
console.log(`wrote ${join('models', 'code-trigrams.json')}: ${sparse.length} non-zero cells`);
