/**
 * The ONNX option as the input stage sees it: `score(text)` is the model's score when it answered
 * within the budget, or null, and then the built-in detector's verdict stands alone (the fallback).
 * Started at boot by the guard service; a model or tokenizer that does not load refuses the start.
 *
 * Metrics (labels are fixed words, never text):
 * - `gatehouse_guard_onnx_inference_seconds`: tokenisation and inference in the worker, every answer
 *   (late ones too): the ONNX path's own latency;
 * - `gatehouse_guard_onnx_seconds{outcome}`: submission to verdict on the event loop (ok, budget, error, queue);
 * - `gatehouse_guard_onnx_fallbacks_total{reason}`: texts judged by the built-in detector alone.
 */
import type { Logger } from 'pino';
import { Counter, Histogram, type Registry } from 'prom-client';
import { ConfigError } from '../../config/load.js';
import type { OnnxClassifierConfig } from '../../config/schema/guard-onnx.js';
import { type OnnxOutcome, startOnnxPool } from './pool.js';

export interface OnnxClassifier {
  readonly threshold: number;
  score(text: string): Promise<number | null>;
  close(): Promise<void>;
}

/** Characters handed to a worker: enough for every window (a token is rarely over 16 characters). */
const CHARS_PER_TOKEN = 16;
/** At most one fallback log line per this interval: under overload the metric counts, the log samples. */
const LOG_EVERY_MS = 10_000;

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

function metricsOf(registry: Registry) {
  for (const n of [
    'gatehouse_guard_onnx_inference_seconds',
    'gatehouse_guard_onnx_seconds',
    'gatehouse_guard_onnx_fallbacks_total',
  ])
    if (registry.getSingleMetric(n) !== undefined) registry.removeSingleMetric(n);
  return {
    inference: new Histogram({
      name: 'gatehouse_guard_onnx_inference_seconds',
      help: 'ONNX injection classifier: tokenisation and inference time in the worker thread',
      buckets: BUCKETS,
      registers: [registry],
    }),
    total: new Histogram({
      name: 'gatehouse_guard_onnx_seconds',
      help: 'ONNX injection classifier: submission to verdict, queueing included, by outcome',
      labelNames: ['outcome'],
      buckets: BUCKETS,
      registers: [registry],
    }),
    fallbacks: new Counter({
      name: 'gatehouse_guard_onnx_fallbacks_total',
      help: 'Texts judged by the built-in injection detector alone: the ONNX classifier missed its budget, failed or was saturated',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}

/** The head and the tail of a long text: the windows never read past them. */
function bounded(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const half = Math.floor(maxChars / 2);
  return `${text.slice(0, half)}\n${text.slice(-half)}`;
}

export async function startOnnxClassifier(
  cfg: OnnxClassifierConfig,
  registry: Registry,
  logger: Pick<Logger, 'warn' | 'info'>,
): Promise<OnnxClassifier> {
  const m = metricsOf(registry);
  const pool = await startOnnxPool({
    modelPath: cfg.modelPath,
    tokenizerPath: cfg.tokenizerPath,
    maxTokens: cfg.maxTokens,
    maxWindows: cfg.maxWindows,
    benignLabel: cfg.benignLabel,
    threads: cfg.threadsPerWorker,
    workers: cfg.workers,
    maxQueue: cfg.maxQueue,
    loadTimeoutMs: cfg.loadTimeoutMs,
    onInference: (ms) => m.inference.observe(ms / 1_000),
    onWorkerExit: (message) => logger.warn({ event: 'guard_onnx_worker' }, message),
  }).catch((err: unknown) => {
    throw new ConfigError([`guard.injection.onnx: ${(err as Error).message}`]);
  });
  logger.info(
    { event: 'guard_onnx_ready', workers: cfg.workers, budgetMs: cfg.budgetMs },
    'ONNX injection classifier loaded',
  );
  const maxChars = cfg.maxTokens * cfg.maxWindows * CHARS_PER_TOKEN;
  let lastLog = Number.NEGATIVE_INFINITY;
  const fallback = (o: OnnxOutcome) => {
    m.fallbacks.inc({ reason: o.kind });
    const now = performance.now();
    if (now - lastLog < LOG_EVERY_MS) return;
    lastLog = now;
    logger.warn(
      {
        event: 'guard_onnx_fallback',
        reason: o.kind,
        elapsedMs: Math.round(o.elapsedMs),
        budgetMs: cfg.budgetMs,
        ...(o.kind === 'error' && { error: o.message }),
      },
      'ONNX injection classifier: the built-in detector judged the text alone',
    );
  };
  return {
    threshold: cfg.threshold,
    async score(text) {
      const o = await pool.classify(bounded(text, maxChars), cfg.budgetMs);
      m.total.observe({ outcome: o.kind }, o.elapsedMs / 1_000);
      if (o.kind === 'ok') return o.score;
      fallback(o);
      return null;
    },
    close: () => pool.close(),
  };
}
