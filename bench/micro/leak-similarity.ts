/**
 * CPU cost of the system-prompt similarity detector (scan + openFrom, as the output channel calls them
 * on one held text) on a ~4,000-character ordinary answer, without and with one base64 run, against a
 * fabric-like persona prompt, in ms per call: 2,000 calls after 200 warm-up. Self-contained (no dataset needed).
 * Run:
 *
 *   node --import tsx bench/micro/leak-similarity.ts
 *
 * For the cost before the hidden views (issue 14), check out src/guard/output/similarity.ts at
 * 32f0873 and run it again.
 */
import { outputPolicySchema } from '../../src/config/schema/output-guard.js';
import { prepare } from '../../src/guard/output/prepared.js';
import { createSimilarityDetector, indexPrompt } from '../../src/guard/output/similarity.js';

const sim = outputPolicySchema.parse({}).detectors.similarity;
const PROMPT = `# IDENTITY and PURPOSE

You are an expert at reading long technical documents and extracting what matters to an engineering
manager. You take the document as input and produce a short brief.

# STEPS

- Read the whole document twice before writing anything.
- Extract the five most important decisions in a section called DECISIONS.
- Extract every open question in a section called QUESTIONS.
- Write a one-sentence summary in a section called SUMMARY.

# OUTPUT INSTRUCTIONS

- Only output Markdown.
- Use bulleted lists, not numbered lists.
- Do not give warnings or notes; only output the requested sections.`;
const PARA =
  'The migration moved the billing service to the new cluster over two weekends. Latency went down for most ' +
  'customers, but the batch export job now runs an hour later because it waits for the nightly snapshot. ' +
  'The team agreed to keep the old database read-only for a month before deleting it. ';
const PLAIN = PARA.repeat(Math.ceil(4_000 / PARA.length)).slice(0, 3_960);
const WITH_B64 = `${PLAIN} ref aGVsbG8gd29ybGQgdGhpcyBpcyBiYXNlNjQ=`;

const index = indexPrompt([PROMPT], sim);
if (index === null) throw new Error('prompt not indexed');
const det = createSimilarityDetector(index, sim);
const call = (text: string): void => {
  det.scan(prepare(text));
  det.openFrom?.(text);
};
for (const [name, answer] of [
  ['plain', PLAIN],
  ['with a base64 run', WITH_B64],
] as const) {
  for (let i = 0; i < 200; i++) call(`${answer} w${i}`);
  const ts: number[] = [];
  for (let i = 0; i < 2_000; i++) {
    const text = `${answer} x${i}`;
    const t0 = performance.now();
    call(text);
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  const q = (p: number): string => (ts[Math.min(ts.length - 1, Math.floor(p * ts.length))] ?? 0).toFixed(3);
  process.stdout.write(
    `similarity scan+openFrom, ${name}, ${answer.length} chars: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms\n`,
  );
}
