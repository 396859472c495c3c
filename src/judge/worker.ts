import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { JudgeConfig } from '../config/schema/judge.js';
import type { Delivery, JudgeBackend } from './backend/types.js';
import type { Breaker } from './breaker.js';
import type { JudgeClient } from './client.js';
import type { JudgeMetrics } from './metrics.js';
import type { CompiledRubric } from './rubrics.js';
import type { Finding, JudgeRecord, RubricOutput } from './types.js';

export interface WorkerDeps {
  readonly cfg: JudgeConfig;
  readonly backend: JudgeBackend;
  readonly client: JudgeClient;
  readonly rubrics: readonly CompiledRubric[];
  readonly breaker: Breaker;
  readonly metrics: JudgeMetrics;
  readonly logger: Logger;
  /** Stores a finding (idempotent by id) and, when stored now, writes its audit event. */
  readonly store: (f: Finding, record: string) => Promise<void>;
  /** Every verdict of a model rubric (for the canary's flag counts). */
  readonly observed: (rubric: string, record: JudgeRecord, output: RubricOutput) => void;
  readonly random?: () => number;
  readonly now?: () => number;
}

/** A judged record's done marker outlives any redelivery (claimIdleMs × maxDeliveries) by far. */
const DONE_TTL_MS = 86_400_000;
/** Records reclaimed per pass; a worker first finishes what others dropped, then reads new ones. */
const RECLAIM_BATCH = 8;

export type Outcome = 'judged' | 'skipped' | 'retry' | 'dropped';

/** The finding of one rubric's verdict; its id is the record's and the rubric's, so a re-run stores nothing new. */
export function findingOf(rubric: CompiledRubric, r: JudgeRecord, o: RubricOutput, at: number): Finding {
  return {
    id: `${r.id}:${rubric.name}`,
    version: 1,
    source: 'model',
    rubric: rubric.name,
    kind: rubric.kind,
    verdict: o.verdict,
    scores: o.scores,
    confidence: o.confidence,
    rationale: o.rationale,
    recordId: r.id,
    route: r.route,
    consumer: r.identity.consumer,
    agent: r.identity.agent,
    createdAt: at,
    status: 'open',
    claimedBy: null,
    claimedAt: null,
    decision: null,
    decidedBy: null,
    decidedAt: null,
    notes: [],
    owasp: rubric.owasp,
  };
}

/**
 * One delivered record, judged to the end or left for later:
 * - judged before (its done marker is set: a worker died between marking and acknowledging) → ack;
 * - delivered `maxDeliveries` times → dropped as poison (counted), ack;
 * - the breaker is open or the endpoint fails → no ack: the record stays pending and is reclaimed
 *   after `claimIdleMs`, so a Judge outage delays judgement and loses nothing;
 * - else every rubric that applies runs; `fail`/`escalate` (and a sample of `pass`, for
 *   calibration) become findings keyed by record and rubric, then the marker, then the ack.
 * A worker that crashes anywhere before the ack leaves the record pending for another worker; the
 * findings' fixed ids make the second run store nothing twice: the record is judged once.
 */
export async function processDelivery(deps: WorkerDeps, d: Delivery): Promise<Outcome> {
  const { backend, metrics, cfg } = deps;
  const random = deps.random ?? Math.random;
  const now = deps.now ?? Date.now;
  let record: JudgeRecord;
  try {
    record = JSON.parse(d.data) as JudgeRecord;
    if (record.v !== 1 || typeof record.id !== 'string') throw new Error('unknown record version');
  } catch {
    metrics.dropped.inc({ reason: 'unreadable' });
    await backend.ack(d.entryId);
    return 'dropped';
  }
  if (await backend.isDone(record.id)) {
    await backend.ack(d.entryId);
    return 'skipped';
  }
  if (d.deliveries > cfg.workers.maxDeliveries) {
    metrics.dropped.inc({ reason: 'poison' });
    deps.logger.warn(
      { record: record.id, deliveries: d.deliveries },
      'judge record dropped after max deliveries',
    );
    await backend.ack(d.entryId);
    return 'dropped';
  }
  for (const rubric of deps.rubrics) {
    if (!rubric.applies(record)) continue;
    if (!deps.breaker.allow()) return 'retry';
    const t0 = performance.now();
    const res = await deps.client.evaluate(rubric, record);
    metrics.latency.observe({ rubric: rubric.name }, (performance.now() - t0) / 1000);
    if (!res.ok) {
      metrics.evaluations.inc({ rubric: rubric.name, outcome: res.failure });
      if (res.failure === 'unavailable') {
        deps.breaker.failure();
        return 'retry';
      }
      // The endpoint answered, but not to the schema: an error, counted, and not a pass. The
      // rubric gets no verdict for this record; the others still run.
      deps.breaker.success();
      deps.logger.warn(
        { record: record.id, rubric: rubric.name, detail: res.detail },
        'judge output invalid',
      );
      continue;
    }
    deps.breaker.success();
    metrics.evaluations.inc({ rubric: rubric.name, outcome: 'ok' });
    const o = res.output;
    deps.observed(rubric.name, record, o);
    if (o.verdict === 'pass') {
      metrics.findings.inc({ rubric: rubric.name, verdict: 'pass' });
      if (random() >= cfg.calibration.passSampleRate) continue;
    }
    await deps.store(findingOf(rubric, record, o, now()), d.data);
  }
  await backend.markDone(record.id, DONE_TTL_MS);
  await backend.ack(d.entryId);
  return 'judged';
}

export interface Workers {
  stop(): Promise<void>;
}

/** `concurrency` worker loops, each its own consumer of the group. */
export function startWorkers(deps: WorkerDeps): Workers {
  const { cfg, backend } = deps;
  let stopped = false;
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
  const loop = async (name: string): Promise<void> => {
    while (!stopped) {
      try {
        if (deps.breaker.state() === 'open') {
          await sleep(Math.min(cfg.breaker.openMs, 1_000));
          continue;
        }
        let batch = await backend.reclaim(name, cfg.workers.claimIdleMs, RECLAIM_BATCH);
        if (batch.length === 0) batch = await backend.read(name, 1, cfg.workers.blockMs);
        for (const d of batch) {
          if (stopped) break;
          await processDelivery(deps, d);
        }
      } catch (err) {
        if (stopped) break;
        deps.logger.warn({ err: (err as Error).message, worker: name }, 'judge worker error');
        await sleep(1_000);
      }
    }
  };
  const base = `${hostname()}-${process.pid}-${Date.now().toString(36)}`;
  const loops = Array.from({ length: cfg.workers.concurrency }, (_, i) => loop(`${base}-${i}`));
  return {
    async stop() {
      stopped = true;
      await Promise.allSettled(loops);
    },
  };
}
