import type { LimitsConfig, PlanConfig, PlanOverride, RateConfig } from '../../config/schema/limits.js';
import type { LimitSpec, WindowSpec } from './types.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** One-second buckets: the minute window looks back at most 1 s more than 60 s (1.7 % conservative). */
const MINUTE_BUCKET = 1_000;
/** One-minute buckets over the cost hour: the same 1/60 conservatism. */
const HOUR_BUCKET = 60_000;

export interface CompileOptions {
  readonly alertRatio: number;
  readonly leaseMs: number;
  readonly globalConcurrency: number;
  /** Divide every cap by this (the `local` posture's per-replica share); 1 for the shared store. */
  readonly divisor: number;
}

/** The plan for one route: the named plan with the route's override on top. */
export function effectivePlan(plan: PlanConfig, override: PlanOverride | undefined): PlanConfig {
  if (override === undefined) return plan;
  return {
    requests: override.requests ?? plan.requests,
    inputTokens: override.inputTokens ?? plan.inputTokens,
    outputTokens: override.outputTokens ?? plan.outputTokens,
    cost: override.cost ?? plan.cost,
    concurrency: override.concurrency ?? plan.concurrency,
  };
}

export function compileSpec(plan: PlanConfig, o: CompileOptions): LimitSpec {
  const share = (n: number): number => Math.max(1, Math.floor(n / o.divisor));
  const rate = (r: RateConfig): WindowSpec[] => {
    const minute: WindowSpec = {
      id: 'm',
      lengthMs: MINUTE,
      bucketMs: MINUTE_BUCKET,
      cap: share(r.perMinute + r.burst),
    };
    // Without a burst the minute window already bounds every longer window: skip the second one.
    if (r.burst === 0) return [minute];
    const len = r.sustainMinutes * MINUTE;
    return [
      minute,
      { id: 's', lengthMs: len, bucketMs: len / 60, cap: share(r.perMinute * r.sustainMinutes) },
    ];
  };
  const hardMicros = share(Math.ceil(plan.cost.hardPerHour * 1e6));
  const windows: LimitSpec['windows'] = [
    rate(plan.requests),
    rate(plan.inputTokens),
    rate(plan.outputTokens),
    [{ id: 'h', lengthMs: HOUR, bucketMs: HOUR_BUCKET, cap: hardMicros }],
  ];
  const concurrency = share(plan.concurrency);
  const globalConcurrency = share(o.globalConcurrency);
  const softCostMicros = Math.floor(Math.ceil(plan.cost.softPerHour * 1e6) / o.divisor);
  return {
    windows,
    concurrency,
    globalConcurrency,
    softCostMicros,
    alertRatio: o.alertRatio,
    leaseMs: o.leaseMs,
  };
}

/** Shared-store spec and `local`-posture spec for every plan on one route. */
export interface RoutePlans {
  readonly shared: ReadonlyMap<string, LimitSpec>;
  readonly local: ReadonlyMap<string, LimitSpec>;
}

/**
 * `sharedLeaseMs`: the lifetime of a lease on the shared store when its owner renews it (Redis:
 * `leaseTtlMs`); without it, shared leases live like local ones, the route's `timeouts.totalMs +
 * leaseGraceMs` (one process: nobody else could be waiting on a dead owner's slots).
 */
export function compileRoutePlans(
  cfg: LimitsConfig,
  alias: string,
  totalMs: number,
  sharedLeaseMs?: number,
  /** An operator's per-consumer override (src/pipeline/overrides.ts), applied after the route's. */
  consumerOverride?: PlanOverride,
): RoutePlans {
  const override = cfg.routes[alias];
  const base = {
    alertRatio: cfg.alertRatio,
    leaseMs: totalMs + cfg.leaseGraceMs,
    globalConcurrency: override?.globalConcurrency ?? cfg.global.concurrency,
  };
  const shared = new Map<string, LimitSpec>();
  const local = new Map<string, LimitSpec>();
  for (const [name, plan] of Object.entries(cfg.plans)) {
    const eff = effectivePlan(effectivePlan(plan, override), consumerOverride);
    shared.set(name, compileSpec(eff, { ...base, leaseMs: sharedLeaseMs ?? base.leaseMs, divisor: 1 }));
    local.set(name, compileSpec(eff, { ...base, divisor: cfg.replicas }));
  }
  return { shared, local };
}
