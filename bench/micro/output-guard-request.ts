/**
 * CPU of the output guard per request (issue 13), without HTTP: what the two output-guard stages do
 * for one request of bench/configs/full.yaml (the output policy's defaults, the 1 KB chat prompt as
 * the request's system and user messages), with the mock upstream's 16-token answer:
 * - json: prepareRequest (canary, prompt indexes, scanner) + inspectAnswer on the whole answer;
 * - sse: prepareRequest + the stream inspector over 16 one-token chunks, flushed as the deliver loop
 *   does on a fast upstream (after each of the first 4 events, then once for the rest of the read),
 *   then the finish chunk.
 * Both the working tree and BASE_REF are compiled (as the bench compiles them) and loaded into this
 * one process; blocks of each (build × json/sse) alternate, µs per request is the median over blocks.
 * Only the difference between the two builds means something on a shared machine.
 *
 *   node --import tsx bench/micro/output-guard-request.ts [BASE_REF=HEAD] [blocks=20] [perBlock=2000]
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OutputPolicy } from '../../src/config/schema/output-guard.js';
import type { inspectAnswer as InspectAnswer } from '../../src/guard/output/answer.js';
import type { prepareRequest as PrepareRequest } from '../../src/guard/output/request.js';
import type { compileRouteGuard as CompileRouteGuard } from '../../src/guard/output/service.js';
import type { createStreamInspector as CreateStreamInspector } from '../../src/guard/output/stream-inspector.js';
import type { RequestContext, StreamChunk } from '../../src/pipeline/context.js';
import { buildForBench } from '../lib/build.js';
import { mockToken } from '../lib/mock-tokens.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const baseRef = process.argv[2] ?? 'HEAD';
const blocks = Number(process.argv[3] ?? 20);
const perBlock = Number(process.argv[4] ?? 2000);
const messages = Object.freeze(
  (JSON.parse(readFileSync(join(HERE, '..', 'configs', 'prompt-1k.json'), 'utf8')) as object[]).map((m) =>
    Object.freeze(m),
  ),
);
const tokens = Array.from({ length: 16 }, (_, i) => mockToken(i));
const answer = tokens.join('');

interface Build {
  readonly guard: ReturnType<typeof CompileRouteGuard>;
  readonly prepareRequest: typeof PrepareRequest;
  readonly inspectAnswer: typeof InspectAnswer;
  readonly createStreamInspector: typeof CreateStreamInspector;
}

async function load(dir: string): Promise<Build> {
  const m = (f: string) => import(join(dir, 'src', 'guard', 'output', f));
  const { outputPolicySchema } = await import(join(dir, 'src', 'config', 'schema', 'output-guard.js'));
  const { compileRouteGuard } = await m('service.js');
  return {
    guard: compileRouteGuard(outputPolicySchema.parse({}) as OutputPolicy, null),
    prepareRequest: (await m('request.js')).prepareRequest,
    inspectAnswer: (await m('answer.js')).inspectAnswer,
    createStreamInspector: (await m('stream-inspector.js')).createStreamInspector,
  };
}
const DIRS = { new: join(ROOT, '.tmp', 'ogr-build'), base: join(ROOT, '.tmp', 'ogr-build-base') } as const;
buildForBench(ROOT, DIRS.new, null);
buildForBench(ROOT, DIRS.base, baseRef);
const builds = { new: await load(DIRS.new), base: await load(DIRS.base) };

const ctxOf = (): RequestContext =>
  ({
    endpoint: 'chat',
    body: { model: 'bench', messages, max_tokens: 64 },
    identity: { consumer: 'bench', agent: null },
    verdicts: [],
    flags: [],
  }) as unknown as RequestContext;

function json({ guard, prepareRequest, inspectAnswer }: Build): number {
  const ctx = ctxOf();
  const req = prepareRequest(ctx, guard);
  const out = {
    choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
  };
  inspectAnswer(ctx, req, out);
  return out.choices[0]?.message.content.length ?? 0;
}

const chunk = (delta: Record<string, unknown>, finish: string | null = null): StreamChunk => ({
  id: 'chatcmpl-bench',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'bench',
  choices: [{ index: 0, delta, finish_reason: finish }],
});

function sse({ guard, prepareRequest, createStreamInspector }: Build): number {
  const ctx = ctxOf();
  const req = prepareRequest(ctx, guard);
  const insp = createStreamInspector(ctx, req);
  let n = insp.onChunk(chunk({ role: 'assistant', content: '' })).length;
  n += insp.flush?.().length ?? 0;
  for (let i = 0; i < tokens.length; i++) {
    n += insp.onChunk(chunk({ content: tokens[i] })).length;
    if (i < 3) n += insp.flush?.().length ?? 0;
  }
  n += insp.onChunk(chunk({}, 'stop')).length;
  n += insp.flush?.().length ?? 0;
  n += insp.onEnd().length;
  return n;
}

const median = (a: readonly number[]) => [...a].sort((x, y) => x - y)[a.length >> 1] ?? Number.NaN;
const runs = { json, sse };
const KINDS = ['new/json', 'base/json', 'new/sse', 'base/sse'] as const;
const res = new Map<string, number[]>(KINDS.map((k) => [k, []]));
const once = (k: (typeof KINDS)[number]) => {
  const [b, r] = k.split('/') as ['new' | 'base', 'json' | 'sse'];
  return () => runs[r](builds[b]);
};
for (const k of KINDS) for (let i = 0, f = once(k); i < perBlock; i++) f();
for (let b = 0; b < blocks; b++)
  for (const k of b % 2 === 0 ? KINDS : [...KINDS].reverse()) {
    const f = once(k);
    const c0 = process.cpuUsage();
    for (let i = 0; i < perBlock; i++) f();
    const c = process.cpuUsage(c0);
    res.get(k)?.push((c.user + c.system) / perBlock);
  }
const m = (k: string) => median(res.get(k) ?? []).toFixed(1);
process.stdout.write(
  `output guard per request, µs CPU (median of ${blocks} blocks of ${perBlock}): ` +
    `json: working tree ${m('new/json')}, ${baseRef} ${m('base/json')}; ` +
    `sse: working tree ${m('new/sse')}, ${baseRef} ${m('base/sse')}\n`,
);
