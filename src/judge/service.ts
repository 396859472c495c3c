import type { JudgeConfig } from '../config/schema/judge.js';
import type { ReviewDecision } from '../formats/judge-names.js';
import { AUDIT_REDACTOR } from '../pipeline/audit-redactor.js';
import { AUDIT_SINK } from '../pipeline/audit-sink.js';
import type { RequestContext } from '../pipeline/context.js';
import { judgeViewKey } from '../pipeline/judge.js';
import { degradationKey, paceViewKey } from '../pipeline/pace.js';
import type { Runtime } from '../pipeline/runtime.js';
import { createAggregates } from './aggregate/index.js';
import { degradedLine, findingLine } from './audit.js';
import { createMemoryBackend } from './backend/memory.js';
import { createRedisBackend } from './backend/redis.js';
import type { JudgeBackend, Stratum } from './backend/types.js';
import { createBreaker } from './breaker.js';
import { calibrate, type RubricCalibration } from './calibration.js';
import { createJudgeClient } from './client.js';
import { createHealthMonitor, type JudgeHealth } from './health.js';
import { createJudgeMetrics } from './metrics.js';
import { buildRecord, recordChars } from './record.js';
import { createReviewQueue, type ReviewQueue } from './review.js';
import { compileRubrics } from './rubrics.js';
import { createSampler } from './sampler.js';
import { JUDGE } from './slots.js';
import type { Finding, JudgeRecord, SampleReason } from './types.js';
import { startWorkers, type Workers } from './worker.js';

export interface JudgeService {
  /** The record stage's hand-off: sampling, aggregates, enqueue. Returns at once; never throws. */
  handOff(ctx: RequestContext): void;
  readonly review: ReviewQueue;
  calibration(): readonly RubricCalibration[];
  refreshCalibration(): Promise<readonly RubricCalibration[]>;
  health(): JudgeHealth;
  checkHealth(): Promise<JudgeHealth>;
  /** Starts the worker loops (in the gateway with `workers.inProcess`, or in `gatehouse judge`). */
  startWorkers(): void;
  /** Why hand-offs cannot run in this process (the configured redaction is missing), or null. */
  readonly handOffProblem: string | null;
  /** Resolves once hand-offs in flight reached the queue (tests, shutdown). */
  settled(): Promise<void>;
  readonly backend: JudgeBackend;
}

/** Hand-offs waiting on the store at most; beyond it a record is dropped (counted), never queued in memory. */
const MAX_INFLIGHT = 1_024;
const HEALTH_MS = 2_000;
const CALIBRATION_MS = 30_000;
const HOUR_MS = 3_600_000;
/** Tokens of a rubric's instructions and the record's framing, on top of the record's text. */
const PROMPT_OVERHEAD_TOKENS = 200;
/** Recorded text is kept this long for reviewers. */
const RECORD_TTL_MS = 14 * 86_400_000;

const STRATUM: Readonly<Record<SampleReason, Stratum>> = {
  flagged: 'risk',
  near_miss: 'risk',
  alternate: 'risk',
  sampled: 'sampled',
};

export async function buildJudgeService(rt: Runtime): Promise<void> {
  const cfg: JudgeConfig = rt.config.judge;
  const endpoint = cfg.endpoint;
  if (!cfg.enabled || endpoint === undefined) return;
  const log = rt.logger.child({ component: 'judge' });
  const limits = {
    maxLength: cfg.queue.maxLength,
    maxFindings: cfg.review.maxFindings,
    recordTtlMs: RECORD_TTL_MS,
  };
  const backend =
    rt.store.scripts !== undefined
      ? createRedisBackend(rt.store.scripts, rt.store.pubsub, limits)
      : createMemoryBackend(limits);
  const metrics = createJudgeMetrics(rt.metrics);
  const rubrics = compileRubrics(cfg);
  const client = createJudgeClient(endpoint);
  const breaker = createBreaker(cfg.breaker);
  const sampler = createSampler(cfg, rt.routes, () => paceViewKey.get(rt));
  const redact = cfg.redaction === 'guard' ? (AUDIT_REDACTOR.get(rt) ?? null) : null;
  // Only the gateway hands off (a `gatehouse judge` process runs workers, no guard): the
  // hand-off stage refuses to build without the redaction it was told to apply.
  const handOffProblem =
    cfg.redaction === 'guard' && redact === null
      ? 'judge.redaction is guard but no redaction function is registered (the guard feature is off)'
      : null;

  // Findings land in the review queue once (fixed ids); only the first store writes the audit event.
  const storeFinding = async (f: Finding, record: string | null): Promise<void> => {
    if (!(await backend.putFinding(f, record))) return;
    if (f.verdict !== 'pass' || f.source === 'aggregate')
      metrics.findings.inc({ rubric: f.rubric, verdict: f.verdict });
    const out = AUDIT_SINK.get(rt);
    out?.emitLine(findingLine(out, f, f.recordId, Date.now()));
  };

  let calibrations: readonly RubricCalibration[] = rubrics.map((r) =>
    calibrate(r.name, { bothPositive: 0, judgeOnly: 0, reviewerOnly: 0, bothNegative: 0 }, cfg.calibration),
  );
  const calibrated = new Set<string>();
  const refreshCalibration = async (): Promise<readonly RubricCalibration[]> => {
    const all = await backend.agreements();
    calibrations = rubrics.map((r) => {
      const c = calibrate(
        r.name,
        all[r.name] ?? { bothPositive: 0, judgeOnly: 0, reviewerOnly: 0, bothNegative: 0 },
        cfg.calibration,
      );
      if (c.kappa !== null) metrics.agreement.set({ rubric: r.name }, c.kappa);
      metrics.calibrated.set({ rubric: r.name }, c.calibrated ? 1 : 0);
      if (c.calibrated) calibrated.add(r.name);
      else calibrated.delete(r.name);
      return c;
    });
    return calibrations;
  };
  for (const r of rubrics) metrics.calibrated.set({ rubric: r.name }, 0);

  const onDecision = async (f: Finding, decision: ReviewDecision): Promise<void> => {
    metrics.reviews.inc({ rubric: f.rubric, decision });
    if (f.source !== 'model') return;
    await backend.addAgreement(f.rubric, f.verdict !== 'pass', decision !== 'dismiss');
    await refreshCalibration();
  };
  const review = createReviewQueue(backend, cfg.review, onDecision);

  // Flag counts of calibrated rubrics, per route and serving deployment (the canary's input).
  const counts = new Map<string, { evaluated: number; flagged: number }>();
  judgeViewKey.set(rt, {
    isCalibrated: (rubric) => calibrated.has(rubric),
    calibration: () => calibrations,
    flagCounts: (route, served) => counts.get(`${route}\n${served}`) ?? { evaluated: 0, flagged: 0 },
  });

  const health = createHealthMonitor({
    cfg,
    backend,
    breaker,
    metrics,
    logger: log,
    signals: () => degradationKey.get(rt),
    alert: (h) => {
      const out = AUDIT_SINK.get(rt);
      out?.emitLine(degradedLine(out, h, cfg.queue.backlogThreshold, Date.now()));
    },
  });
  const healthTimer = setInterval(() => void health.check().catch(() => {}), HEALTH_MS);
  healthTimer.unref();
  const calibrationTimer = setInterval(() => void refreshCalibration().catch(() => {}), CALIBRATION_MS);
  calibrationTimer.unref();
  await refreshCalibration().catch(() => {});

  const aggregates = createAggregates(cfg.aggregate);
  const inflight = new Set<Promise<void>>();
  const track = (p: Promise<void>): void => {
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };

  // A self-hosted Judge (prices 0) has no budget to estimate: the hand-off skips the estimate's work.
  const priced = endpoint.inputPer1kUsd > 0 || endpoint.outputPer1kUsd > 0;
  const spendOf = (rec: JudgeRecord): number => {
    if (!priced) return 0;
    const n = rubrics.filter((r) => r.applies(rec)).length;
    const input = (recordChars(rec) / 4 + PROMPT_OVERHEAD_TOKENS) * n;
    const output = endpoint.maxTokens * n;
    return Math.ceil(
      ((input / 1000) * endpoint.inputPer1kUsd + (output / 1000) * endpoint.outputPer1kUsd) * 1e6,
    );
  };
  const capOf: Readonly<Record<Stratum, number>> = {
    sampled: cfg.budget.sampledUsdPerHour * 1e6,
    risk: cfg.budget.riskUsdPerHour * 1e6,
  };

  const enqueue = async (rec: JudgeRecord): Promise<void> => {
    const stratum = STRATUM[rec.reason];
    const micro = spendOf(rec);
    if (micro > 0) {
      const total = await backend.spend(stratum, micro, Math.floor(Date.now() / HOUR_MS));
      if (total > capOf[stratum]) {
        metrics.sampled.inc({ route: rec.route, reason: rec.reason, outcome: 'over_budget' });
        return;
      }
      metrics.spend.inc({ stratum }, micro / 1e6);
    }
    await backend.enqueue(JSON.stringify(rec));
    metrics.sampled.inc({ route: rec.route, reason: rec.reason, outcome: 'queued' });
  };

  let workers: Workers | null = null;
  const svc: JudgeService = {
    backend,
    handOffProblem,
    review,
    handOff(ctx) {
      try {
        if (cfg.aggregate.enabled)
          for (const f of aggregates.observe(ctx)) track(storeFinding(f, null).catch(() => {}));
        const reason = sampler.decide(ctx);
        if (reason === null) return;
        const route = ctx.route?.alias ?? 'unknown';
        if (inflight.size >= MAX_INFLIGHT) {
          metrics.sampled.inc({ route, reason, outcome: 'queue_error' });
          return;
        }
        const rec = buildRecord(ctx, reason, redact, cfg.maxTextChars);
        if (rec === null) return;
        track(
          enqueue(rec).catch((err) => {
            metrics.sampled.inc({ route, reason, outcome: 'queue_error' });
            log.warn({ err: (err as Error).message }, 'judge hand-off failed');
          }),
        );
      } catch (err) {
        log.error({ err, request_id: ctx.requestId }, 'judge hand-off failed');
      }
    },
    calibration: () => calibrations,
    refreshCalibration,
    health: () => health.current(),
    checkHealth: () => health.check(),
    startWorkers() {
      if (workers !== null) return;
      workers = startWorkers({
        cfg,
        backend,
        client,
        rubrics,
        breaker,
        metrics,
        logger: log,
        store: storeFinding,
        observed: (rubric, rec, o) => {
          if (!calibrated.has(rubric)) return;
          const key = `${rec.route}\n${rec.served ?? rec.route}`;
          const c = counts.get(key) ?? { evaluated: 0, flagged: 0 };
          counts.set(key, {
            evaluated: c.evaluated + 1,
            flagged: c.flagged + (o.verdict === 'pass' ? 0 : 1),
          });
        },
      });
    },
    async settled() {
      await Promise.allSettled([...inflight]);
    },
  };
  JUDGE.set(rt, svc);
  if (cfg.workers.inProcess) svc.startWorkers();
  rt.closers.push(async () => {
    clearInterval(healthTimer);
    clearInterval(calibrationTimer);
    await svc.settled();
    const stopping = workers?.stop();
    await backend.close();
    await stopping;
    await client.close();
  });
}
