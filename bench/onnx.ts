/**
 * Latency of the local ONNX injection classifier (guard.injection.onnx) on a ~1,000-token prompt:
 * - in the worker: tokenisation and inference (what `gatehouse_guard_onnx_inference_seconds` reports);
 * - round trip: from the event loop's submission to its answer (queueing, two thread hops, the above),
 *   one text at a time, so there is no queueing; what the latency budget is compared with.
 * The default model is the repo's tiny fixture (test/fixtures/onnx/): the figure is then the cost of
 * the machinery (tokenizer, windows, thread hops, a tiny graph), not of a transformer; pass an
 * operator's export with --model/--tokenizer to measure that. Not a test: timings depend on the machine.
 *
 *   node --import tsx bench/onnx.ts [--iterations 2000] [--model M.onnx --tokenizer tokenizer.json] [--json]
 */
import { availableParallelism, loadavg } from 'node:os';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startOnnxPool } from '../src/guard/onnx/pool.js';
import { loadRowEncoder } from '../src/guard/onnx/windows.js';

const FIX = fileURLToPath(new URL('../test/fixtures/onnx/', import.meta.url));
const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '2000' },
    model: { type: 'string', default: `${FIX}tiny.onnx` },
    tokenizer: { type: 'string', default: `${FIX}tokenizer.json` },
    'max-tokens': { type: 'string', default: '512' },
    threads: { type: 'string', default: '1' },
    json: { type: 'boolean' },
  },
});
const iterations = Number(values.iterations);
const maxTokens = Number(values['max-tokens']);
const plan = { maxTokens, maxWindows: 4 };

const SENTENCES = [
  'Please summarize the meeting notes below and write a short email to the team about the schedule.',
  'The report covers sales data for the city of Paris, with a table of numbers and a chart for each month.',
  'Can you explain how the sort function in this Python code handles a list of numbers with duplicates?',
  'Thanks for the help this morning; tell me what the weather will be tomorrow before we book the flight.',
  'Our hotel booking for the trip is confirmed, but the recipe book we ordered has not arrived yet today.',
];
/** ~1,000 tokens by the model's own tokenizer (counted, not assumed). */
function prompt(): { text: string; tokens: number } {
  const enc = loadRowEncoder(values.tokenizer, { maxTokens: 1_000_000, maxWindows: 1 });
  let text = '';
  for (let i = 0; ; i++) {
    const next = `${text}${SENTENCES[i % SENTENCES.length]} `;
    if (enc.encode(next).tokens > 1_000) break;
    text = next;
  }
  return { text, tokens: enc.encode(text).tokens };
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

const { text, tokens } = prompt();
const inference: number[] = [];
const pool = await startOnnxPool({
  modelPath: values.model,
  tokenizerPath: values.tokenizer,
  ...plan,
  benignLabel: 0,
  threads: Number(values.threads),
  workers: 1,
  maxQueue: 1,
  loadTimeoutMs: 600_000,
  onInference: (ms) => inference.push(ms),
});
const roundTrip: number[] = [];
const warmup = Math.min(200, Math.floor(iterations / 10));
for (let i = 0; i < warmup + iterations; i++) {
  const o = await pool.classify(text, 600_000);
  if (o.kind !== 'ok') throw new Error(`unexpected outcome ${o.kind}`);
  if (i >= warmup) roundTrip.push(o.elapsedMs);
}
await pool.close();
const measured = inference.slice(-iterations);
const result = {
  model: relative(process.cwd(), values.model),
  tokens,
  windows: Math.ceil(tokens / (maxTokens - 2)),
  iterations,
  inferenceMs: { p50: pct(measured, 50), p99: pct(measured, 99) },
  roundTripMs: { p50: pct(roundTrip, 50), p99: pct(roundTrip, 99) },
  node: process.version,
  cpus: availableParallelism(),
  load: loadavg().map((l) => Number(l.toFixed(1))),
};
if (values.json) console.log(JSON.stringify(result));
else {
  console.log(
    `${result.model}: ${tokens} tokens (${result.windows} windows of ${maxTokens}), ${iterations} runs`,
  );
  console.log(
    `in worker (tokenise + infer): p50 ${result.inferenceMs.p50.toFixed(3)} ms, p99 ${result.inferenceMs.p99.toFixed(3)} ms`,
  );
  console.log(
    `round trip from the event loop: p50 ${result.roundTripMs.p50.toFixed(3)} ms, p99 ${result.roundTripMs.p99.toFixed(3)} ms`,
  );
  console.log(`node ${result.node}, ${result.cpus} CPUs, load ${result.load.join(' ')}`);
}
