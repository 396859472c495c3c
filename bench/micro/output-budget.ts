/**
 * CPU cost of the output budget (src/upstream/output-budget.ts) with the real o200k tokenizer:
 * - a normal streamed answer: 16 and 256 one-word deltas, each counted (µs per response);
 * - hostile single deltas cut at a budget of 1,024 tokens: 4 MB of words, of one character, of
 *   spaces, of digits (ms per response; the work stops at the budget, not at the 4 MB).
 *
 *   node --import tsx bench/micro/output-budget.ts
 */
import { OutputBudget } from '../../src/upstream/output-budget.js';
import { loadTokenCounter } from '../../src/upstream/tokenizer.js';

const count = await loadTokenCounter('o200k_base');
const WORDS = ['the', 'model', 'answers', 'with', 'plain', 'words', 'and', 'numbers', '42', 'here'];

function normal(deltas: number, iterations: number): string {
  const texts = Array.from({ length: deltas }, (_, i) => ` ${WORDS[i % WORDS.length]}${i % 7}`);
  const run = () => {
    const b = new OutputBudget(count, { perChoice: 4_096, choices: 1 }, 'chat');
    for (const t of texts)
      b.chunk({ id: 'x', choices: [{ index: 0, delta: { content: t }, finish_reason: null }] });
    return b.tokens;
  };
  for (let i = 0; i < iterations / 5; i++) run();
  const c0 = process.cpuUsage();
  for (let i = 0; i < iterations; i++) run();
  const c = process.cpuUsage(c0);
  return `${deltas} one-word deltas: ${((c.user + c.system) / iterations).toFixed(1)} µs per response`;
}

function hostile(name: string, text: string, iterations: number): string {
  // A fresh suffix per run defeats the tokenizer's cache, as a new upstream answer would.
  const run = (i: number) => {
    const b = new OutputBudget(count, { perChoice: 1_024, choices: 1 }, 'chat');
    const delta = `${i} ${text}`;
    b.chunk({ id: 'x', choices: [{ index: 0, delta: { content: delta }, finish_reason: null }] });
    return b.tokens;
  };
  run(-1);
  const c0 = process.cpuUsage();
  let tokens = 0;
  for (let i = 0; i < iterations; i++) tokens = run(i);
  const c = process.cpuUsage(c0);
  return `4 MB delta of ${name}, cut at 1,024 tokens (${tokens} kept): ${((c.user + c.system) / iterations / 1000).toFixed(1)} ms per response`;
}

const MB4 = 4 * 1_048_576;
const lines = [
  normal(16, 20_000),
  normal(256, 2_000),
  hostile('words', 'lorem ipsum dolor sit amet '.repeat(MB4 / 27), 20),
  hostile('one character', 'x'.repeat(MB4), 20),
  hostile('spaces', ' '.repeat(MB4), 20),
  hostile('digits', '7'.repeat(MB4), 20),
];
process.stdout.write(`${lines.join('\n')}\n`);
