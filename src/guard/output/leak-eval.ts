/**
 * The leak detector as `gatehouse eval leak` runs it on one labelled row: the protected code (the
 * role the canary plays in production) found whole, dressed up or encoded, or a long passage / high
 * coverage of the system prompt when the row has one, or its rules restated in other words
 * (instruction echo, echo.ts). The same matchers and defaults as the output stage.
 */
import { outputPolicySchema } from '../../config/schema/output-guard.js';
import { createCodeMatcher } from './code-match.js';
import { echoes, indexRules } from './echo.js';
import { prepare } from './prepared.js';
import { CoverageMeter, createSimilarityDetector, indexPrompt } from './similarity.js';

export interface LeakRow {
  readonly text: string;
  readonly access_code: string;
  readonly system_prompt?: string;
}

const defaults = outputPolicySchema.parse({}).detectors;
const sim = defaults.similarity;
/** The default canary sentence with the marker cut out: production indexes the prompt before adding it. */
const [canaryHead = '', canaryTail = ''] = defaults.canary.template.split('{canary}');

/** A long code may also leak in pieces: a run of 60% of it (at least 8 characters) counts. */
function fragmentFor(code: string): number {
  const n = code.replace(/[^\p{L}\p{N}]/gu, '').length;
  return n >= 12 ? Math.max(8, Math.ceil(n * 0.6)) : 0;
}

// Scripts written without spaces between words: a code there has no word boundary to anchor on.
const UNSPACED =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}]/u;

export function leaks(row: LeakRow): boolean {
  const m = createCodeMatcher(row.access_code, {
    minFragment: fragmentFor(row.access_code),
    embedded: UNSPACED.test(row.access_code),
    decoded: true,
  });
  if (m !== null && m.find(row.text).length > 0) return true;
  if (row.system_prompt === undefined) return false;
  // The code itself is not a passage of the prompt worth comparing: take it out first. When it is a
  // canary, its whole sentence goes: the output stage indexes the operator's prompt before adding it.
  const prompt =
    row.access_code === ''
      ? row.system_prompt
      : row.system_prompt
          .split(`${canaryHead}${row.access_code}${canaryTail}`)
          .join(' ')
          .split(row.access_code)
          .join(' ');
  const index = indexPrompt([prompt], sim);
  if (index === null) return false;
  if (createSimilarityDetector(index, sim).scan(prepare(row.text)).length > 0) return true;
  if (new CoverageMeter(index).feed(row.text, true) >= sim.maxCoverage) return true;
  const rules = sim.echo ? indexRules([prompt]) : null;
  return (
    rules !== null &&
    echoes(rules, row.text, { minSentences: sim.echoMinSentences, minOverlap: sim.echoMinOverlap }).leaked
  );
}
