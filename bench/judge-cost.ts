import pino from 'pino';
import { Registry } from 'prom-client';
import { judgeSchema } from '../src/config/schema/judge.js';
import { createMemoryBackend } from '../src/judge/backend/memory.js';
import { createBreaker } from '../src/judge/breaker.js';
import { createJudgeClient } from '../src/judge/client.js';
import { createJudgeMetrics } from '../src/judge/metrics.js';
import { buildRecord } from '../src/judge/record.js';
import { compileRubrics } from '../src/judge/rubrics.js';
import { createSampler } from '../src/judge/sampler.js';
import { processDelivery } from '../src/judge/worker.js';
import type { RequestContext } from '../src/pipeline/context.js';

/**
 * The Judge's CPU per request, measured in this process with `process.cpuUsage()` (CPU time, so
 * far less disturbed by a loaded machine than throughput): the hand-off at a sampling rate, and a
 * worker's cost per judged record against a Judge mock at `judgeUrl`. Used by bench/judge.ts.
 */
export interface JudgeCost {
  /** µs of CPU per request for the hand-off (sampling decision for all, record + enqueue for the sampled share). */
  readonly handOffUs: number;
  /** µs of CPU per judged record (every rubric that applies, one Judge call each). */
  readonly workerUsPerRecord: number;
  readonly rubricsPerRecord: number;
}

const cpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

function sampleCtx(i: number): RequestContext {
  return {
    requestId: `req-${i}`,
    startedAt: Date.now(),
    trace: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736' },
    route: {
      alias: 'bench',
      tier: 2,
      origin: 'http://127.0.0.1:8000',
      config: { upstream: { model: 'mock-model-2026-01-01' } },
    },
    endpoint: 'chat',
    status: 200,
    clientAborted: false,
    identity: { consumer: 'team-search', agent: 'indexer-bot', session: null, method: 'api_key' },
    flags: [],
    verdicts: [{ phase: 'input', detector: 'injection', type: 'classifier', action: 'allow', score: 0.02 }],
    body: { messages: [{ role: 'user', content: 'Write one sentence about gateways.' }], max_tokens: 64 },
    upstream: {
      status: 200,
      stream: null,
      json: {
        choices: [
          {
            message: {
              role: 'assistant',
              content:
                'word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12 word13 word14 word15',
            },
          },
        ],
      },
    },
    streamedText: '',
    usage: { inputTokens: 12, outputTokens: 16 },
    inputTokens: 12,
    cost: 0.0001,
  } as unknown as RequestContext;
}

export async function measureJudgeCost(judgeUrl: string, rate: number, n = 20_000): Promise<JudgeCost> {
  const cfg = judgeSchema.parse({
    enabled: true,
    endpoint: { url: `${judgeUrl}/v1`, model: 'judge-model-2026-01-01' },
    sampling: { tiers: { 1: { rate }, 2: { rate }, 3: { rate } } },
    calibration: { passSampleRate: 0 },
  });
  const limits = { maxLength: n + 10, maxFindings: 1_000, recordTtlMs: 60_000 };
  const backend = createMemoryBackend(limits);
  const sampler = createSampler(cfg, new Map([['bench', { tier: 2 as const }]]), () => undefined);
  const ctxs = Array.from({ length: 1_000 }, (_, i) => sampleCtx(i));
  // The gateway's redaction runs the detectors; a stand-in that walks the text keeps this about the Judge's own work.
  const redact = (s: string) => s.replace(/sk-[A-Za-z0-9]{20,}/g, '[SECRET]');
  const handOff = async (c: RequestContext) => {
    const reason = sampler.decide(c);
    if (reason === null) return;
    const rec = buildRecord(c, reason, redact, cfg.maxTextChars);
    if (rec !== null) await backend.enqueue(JSON.stringify(rec));
  };
  for (let i = 0; i < 2_000; i++) await handOff(ctxs[i % ctxs.length] as RequestContext);
  let t = cpuUs();
  for (let i = 0; i < n; i++) await handOff(ctxs[i % ctxs.length] as RequestContext);
  const handOffUs = (cpuUs() - t) / n;

  const rubrics = compileRubrics(cfg);
  const deps = {
    cfg,
    backend,
    client: createJudgeClient(
      cfg.endpoint ?? {
        url: '',
        model: '',
        headers: {},
        connections: 1,
        timeoutMs: 1,
        maxTokens: 1,
        maxResponseBytes: 1,
        inputPer1kUsd: 0,
        outputPer1kUsd: 0,
      },
    ),
    rubrics,
    breaker: createBreaker(cfg.breaker),
    metrics: createJudgeMetrics(new Registry()),
    logger: pino({ level: 'silent' }),
    store: async () => {},
    observed: () => {},
  };
  const records = await backend.read('bench', 1_000_000, 1);
  const warm = records.slice(0, 200);
  const measured = records.slice(200, 1_200);
  for (const d of warm) await processDelivery(deps, d);
  t = cpuUs();
  // Two at a time, as the default two workers do.
  for (let i = 0; i < measured.length; i += 2)
    await Promise.all(measured.slice(i, i + 2).map((d) => processDelivery(deps, d)));
  const workerUsPerRecord = (cpuUs() - t) / measured.length;
  await deps.client.close();
  const first = records[0];
  const rubricsPerRecord =
    first === undefined ? 0 : rubrics.filter((r) => r.applies(JSON.parse(first.data))).length;
  return { handOffUs, workerUsPerRecord, rubricsPerRecord };
}
