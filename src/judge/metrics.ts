import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * The Judge's metrics. Labels are bounded by configuration only (route aliases, rubric names,
 * fixed outcome words): never a consumer, a record id or any text.
 */
export interface JudgeMetrics {
  readonly sampled: Counter<'route' | 'reason' | 'outcome'>;
  readonly findings: Counter<'rubric' | 'verdict'>;
  readonly evaluations: Counter<'rubric' | 'outcome'>;
  readonly dropped: Counter<'reason'>;
  readonly latency: Histogram<'rubric'>;
  readonly spend: Counter<'stratum'>;
  readonly reviews: Counter<'rubric' | 'decision'>;
  readonly depth: Gauge;
  readonly degraded: Gauge;
  readonly breaker: Gauge;
  readonly agreement: Gauge<'rubric'>;
  readonly calibrated: Gauge<'rubric'>;
}

export function createJudgeMetrics(reg: Registry): JudgeMetrics {
  const registers = [reg];
  return {
    sampled: new Counter({
      name: 'gatehouse_judge_sampled_total',
      help: 'Answers handed to the Judge by route, reason (flagged, near_miss, alternate, sampled) and outcome (queued, over_budget, queue_error)',
      labelNames: ['route', 'reason', 'outcome'],
      registers,
    }),
    findings: new Counter({
      name: 'gatehouse_judge_findings_total',
      help: 'Judge verdicts by rubric and verdict (pass, fail, escalate); aggregate judges count as their kind',
      labelNames: ['rubric', 'verdict'],
      registers,
    }),
    evaluations: new Counter({
      name: 'gatehouse_judge_evaluations_total',
      help: 'Judge model calls by rubric and outcome (ok, unavailable, invalid_output): invalid output is an error, never a pass',
      labelNames: ['rubric', 'outcome'],
      registers,
    }),
    dropped: new Counter({
      name: 'gatehouse_judge_records_dropped_total',
      help: 'Queued records given up on: poison (delivered maxDeliveries times), unreadable',
      labelNames: ['reason'],
      registers,
    }),
    latency: new Histogram({
      name: 'gatehouse_judge_latency_seconds',
      help: 'Time of one Judge model call',
      labelNames: ['rubric'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    spend: new Counter({
      name: 'gatehouse_judge_spend_usd_total',
      help: 'Estimated Judge spend reserved at hand-off, by stratum (sampled, risk)',
      labelNames: ['stratum'],
      registers,
    }),
    reviews: new Counter({
      name: 'gatehouse_judge_reviews_total',
      help: 'Reviewer decisions by rubric and decision (confirm, dismiss, escalate)',
      labelNames: ['rubric', 'decision'],
      registers,
    }),
    depth: new Gauge({
      name: 'gatehouse_judge_queue_depth',
      help: 'Records queued for the Judge and not yet acknowledged (undelivered plus in progress)',
      registers,
    }),
    degraded: new Gauge({
      name: 'gatehouse_judge_degraded',
      help: '1 while the Judge is degraded (breaker open or queue past its backlog threshold)',
      registers,
    }),
    breaker: new Gauge({
      name: 'gatehouse_judge_breaker_state',
      help: 'Judge endpoint breaker: 0 closed, 1 half open, 2 open',
      registers,
    }),
    agreement: new Gauge({
      name: 'gatehouse_judge_agreement',
      help: "Cohen's kappa between the Judge and reviewers, per rubric (absent until the rubric has decisions)",
      labelNames: ['rubric'],
      registers,
    }),
    calibrated: new Gauge({
      name: 'gatehouse_judge_rubric_calibrated',
      help: '1 when the rubric has enough decisions and a kappa at or above judge.calibration.floor',
      labelNames: ['rubric'],
      registers,
    }),
  };
}
