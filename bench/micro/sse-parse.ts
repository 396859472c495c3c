import { pathToFileURL } from 'node:url';

/**
 * CPU cost of parsing one streamed chat completion (role chunk, 16 words, finish, usage, [DONE])
 * arriving in 5 TCP reads, in µs per response. Pass another build of sse.ts to compare:
 *
 *   node --import tsx bench/micro/sse-parse.ts [path/to/sse.ts]
 *   git show HEAD~1:src/upstream/sse.ts > .tmp/sse-old.ts && node --import tsx bench/micro/sse-parse.ts .tmp/sse-old.ts
 */
type Parser = { push(c: Uint8Array): Array<{ data: string }>; end(): Array<{ data: string }> };
const file = process.argv[2] ?? new URL('../../src/upstream/sse.ts', import.meta.url).pathname;
const { SseParser } = (await import(pathToFileURL(file).href)) as { SseParser: new () => Parser };

const base = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_767_225_600, model: 'm' };
const events = [
  { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
  ...Array.from({ length: 16 }, (_, i) => ({
    ...base,
    choices: [{ index: 0, delta: { content: ` word${i}` }, finish_reason: null }],
  })),
  { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
  { ...base, choices: [], usage: { prompt_tokens: 12, completion_tokens: 16, total_tokens: 28 } },
];
const wire = Buffer.from(`${events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('')}data: [DONE]\n\n`);
const reads = Array.from({ length: 5 }, (_, i) =>
  wire.subarray(Math.floor((i * wire.length) / 5), Math.floor(((i + 1) * wire.length) / 5)),
);

function once(): number {
  const p = new SseParser();
  let n = 0;
  for (const r of reads) n += p.push(r).length;
  return n + p.end().length;
}

const N = 100_000;
for (let i = 0; i < 20_000; i++) once();
const c0 = process.cpuUsage();
let events_ = 0;
for (let i = 0; i < N; i++) events_ += once();
const c = process.cpuUsage(c0);
process.stdout.write(
  `${file}: ${((c.user + c.system) / N).toFixed(2)} µs per response (${events_ / N} events)\n`,
);
