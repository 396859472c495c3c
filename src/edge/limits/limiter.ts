import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { LimitsConfig, Posture } from '../../config/schema/limits.js';
import type { ErrorCode } from '../../errors/catalog.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { Tier } from '../../identity.js';
import type { LimitSignal } from '../../pipeline/audit-signals.js';
import type { KeyedLimiter } from '../../pipeline/keyed-limits.js';
import type { Overrides } from '../../pipeline/overrides.js';
import { internalError } from '../../pipeline/require.js';
import type { RuntimeRoute } from '../../pipeline/runtime.js';
import type { Store } from '../../store/types.js';
import type { Reservation } from './events.js';
import { createFallbackSeeds } from './fallback.js';
import { rateLimitHeaders, retryHeaders } from './headers.js';
import { createKeyedLimiter } from './keyed.js';
import { createLeaseKeeper, type LeaseKeeper } from './leases.js';
import { createMemoryBackend } from './memory-backend.js';
import { createLimitMetrics, type LimitMetrics, registerLeaseGauge } from './metrics.js';
import { createRedisBackend } from './redis-backend.js';
import { compileRoutePlans, type RoutePlans } from './spec.js';
import type { Amounts, Dimension, InUse, LimitAlert, LimitBackend, Views } from './types.js';

/** A registry keyed by the dimension union: which code a refusal carries. */
const REFUSAL: { readonly [D in Dimension]: ErrorCode } = {
  requests: 'GH_ERR_RATE_REQUESTS',
  inputTokens: 'GH_ERR_RATE_INPUT_TOKENS',
  outputTokens: 'GH_ERR_RATE_OUTPUT_TOKENS',
  cost: 'GH_ERR_COST_CAP',
  concurrency: 'GH_ERR_CONCURRENCY',
  globalConcurrency: 'GH_ERR_GLOBAL_CONCURRENCY',
};

/** Tell a closed-posture client to come back soon: Redis usually returns within seconds. */
const UNAVAILABLE_RETRY_MS = 1_000;

export interface AdmitRequest {
  readonly route: RuntimeRoute;
  readonly consumer: string;
  readonly plan: string | null;
  readonly tier: Tier;
  readonly inputTokens: number;
  readonly maxOutputTokens: number;
  /** Part of the lease's id (with this replica's id): who holds a slot is readable in Redis. */
  readonly requestId?: string;
}

export interface Admitted {
  readonly reservation: Reservation;
  readonly headers: Record<string, string>;
  readonly views: Views;
  readonly events: LimitSignal[];
  readonly posture: Posture | null;
}

/** A refusal carries its headers and the events raised on the way (a store outage, for instance). */
export class LimitRefusal extends GatehouseError {
  constructor(
    code: ErrorCode,
    headers: Record<string, string>,
    readonly events: LimitSignal[],
    readonly dimension: Dimension | 'store',
    readonly posture: Posture | null,
    readonly views: Views | null,
  ) {
    super(code, { headers });
  }
}

/** What this replica last saw of one consumer on one route (the shared store's counts at `at`). */
export interface UsageView {
  readonly route: string;
  readonly plan: string;
  readonly views: Views;
  /** Epoch ms of the admission that reported it. */
  readonly at: number;
}

export interface Limiter {
  admit(req: AdmitRequest): Promise<Admitted>;
  /** The last admission's windows per route for a consumer (the console's live quota use). */
  usage(consumer: string): UsageView[];
  /** Reconcile to real usage (tokens); returns the real cost in US dollars. Never throws. */
  settle(res: Reservation, inputTokens: number, outputTokens: number): Promise<number>;
  readonly metrics: LimitMetrics;
  /** The same machinery for limits on other scopes (tools): src/pipeline/keyed-limits.ts. */
  readonly keyed: KeyedLimiter;
  /** This replica's id: the owner part of its lease ids. */
  readonly replicaId: string;
  /** Shared-store leases this replica renews, and reconciliations waiting for the store. */
  leases(): { live: number; releases: number; settles: number };
  close(): Promise<void>;
}

export interface LimiterOptions {
  readonly config: LimitsConfig;
  readonly routes: ReadonlyMap<string, RuntimeRoute>;
  readonly store: Store;
  readonly logger: Logger;
  readonly metrics: Registry;
  /** A controllable clock (tests). Without it, Redis' clock when `clock: redis`, else Date.now. */
  readonly now?: () => number;
  /** Defaults to a random id per process (a restarted replica never renews its past leases). */
  readonly replicaId?: string;
  /** Operators' runtime overrides (per-consumer plan and limits), read synchronously per request. */
  readonly overrides?: () => Overrides;
}

/** Bounds the per-replica usage views (one entry per consumer and route recently admitted). */
const MAX_USAGE_ENTRIES = 10_000;

interface CompiledRoute {
  readonly plans: RoutePlans;
  /** The longest a request on this route may hold a lease: what a lease count stays valid for. */
  readonly runMs: number;
  readonly price: { readonly input: number; readonly output: number };
  /** The hot path's counter child, resolved once (prom-client hashes labels on every inc otherwise). */
  readonly admitted: { inc(): void };
}

export function createLimiter(o: LimiterOptions): Limiter {
  const { config: cfg, logger } = o;
  const log = logger.child({ component: 'limits' });
  const metrics = createLimitMetrics(o.metrics);
  const scripts = o.store.scripts;
  // Shared across replicas: Redis clock, scripts, owned leases.
  const isRedis = scripts !== undefined;
  const clock = o.now ?? Date.now;
  // Redis keeps the clock unless a test injects one, so replicas with skewed clocks still agree.
  const sharedNow = (): number | null =>
    o.now !== undefined || !isRedis || cfg.clock === 'local' ? clock() : null;
  const shared: LimitBackend = isRedis
    ? createRedisBackend(scripts.connection(), scripts.prefix)
    : createMemoryBackend(clock);
  const local: LimitBackend = createMemoryBackend(clock);
  const replicaId = o.replicaId ?? randomBytes(6).toString('base64url');
  let seq = 0;
  // Only the shared Redis store needs owners to renew: one process' leases die with it.
  const keeper: LeaseKeeper | null = isRedis
    ? createLeaseKeeper({ backend: shared, ttlMs: cfg.leaseTtlMs, now: sharedNow, log, clock })
    : null;
  if (keeper !== null) registerLeaseGauge(o.metrics, () => keeper.counts());
  const seeds = createFallbackSeeds();

  const compiled = new Map<string, CompiledRoute>();
  // Specs for consumers with an operator override, compiled on first use and dropped whenever the
  // overlay changes (so a new quota applies from the next request on every replica).
  const overridden = new Map<string, RoutePlans>();
  let overrideVersion = 0;
  const specsFor = (route: RuntimeRoute, consumer: string, ov: Overrides, c: CompiledRoute): RoutePlans => {
    const limits = ov.consumers[consumer]?.limits;
    if (limits === undefined) return c.plans;
    if (ov.version !== overrideVersion) {
      overridden.clear();
      overrideVersion = ov.version;
    }
    const k = `${route.alias}\u0000${consumer}`;
    let plans = overridden.get(k);
    if (plans === undefined) {
      const totalMs = route.config.timeouts.totalMs;
      plans = compileRoutePlans(cfg, route.alias, totalMs, isRedis ? cfg.leaseTtlMs : undefined, limits);
      if (overridden.size >= MAX_USAGE_ENTRIES) overridden.clear();
      overridden.set(k, plans);
    }
    return plans;
  };
  const usage = new Map<string, UsageView & { readonly consumer: string }>();
  const noteUsage = (consumer: string, route: string, plan: string, views: Views): void => {
    const k = `${consumer}\u0000${route}`;
    usage.delete(k);
    usage.set(k, { consumer, route, plan, views, at: Date.now() });
    if (usage.size > MAX_USAGE_ENTRIES) {
      const oldest = usage.keys().next();
      if (oldest.done !== true) usage.delete(oldest.value);
    }
  };
  for (const route of o.routes.values()) {
    const totalMs = route.config.timeouts.totalMs;
    const plans = compileRoutePlans(cfg, route.alias, totalMs, isRedis ? cfg.leaseTtlMs : undefined);
    const p = cfg.prices[route.config.upstream.model];
    if (p === undefined)
      log.warn(
        { route: route.alias },
        'no price for the pinned model: its cost counts as 0 against cost caps',
      );
    for (const [name, spec] of plans.shared) {
      const inputMinute = spec.windows[1][0];
      if (inputMinute !== undefined && inputMinute.cap < route.config.caps.maxInputTokens)
        log.warn(
          { route: route.alias, plan: name },
          'input tokens per minute are below caps.maxInputTokens: large prompts can never be admitted',
        );
    }
    compiled.set(route.alias, {
      plans,
      runMs: totalMs + cfg.leaseGraceMs,
      price: { input: p?.inputPerMillion ?? 0, output: p?.outputPerMillion ?? 0 },
      admitted: metrics.decisions.labels({ route: route.alias, result: 'admitted', dimension: '' }),
    });
  }

  const unknownPlans = new Set<string>();
  let storeUp = true;

  const planOf = (name: string | null): string => {
    if (name === null || cfg.plans[name] !== undefined) return name ?? cfg.defaultPlan;
    if (!unknownPlans.has(name)) {
      unknownPlans.add(name);
      log.warn({ plan: name }, 'identity names an unknown plan: the default plan applies');
    }
    return cfg.defaultPlan;
  };

  const markDown = (events: LimitSignal[], posture: Posture, err: unknown) => {
    metrics.storeUp.set(0);
    if (!storeUp) return;
    storeUp = false;
    log.error({ err, posture }, 'limits store unreachable: store-down posture applies');
    metrics.events.inc({ type: 'limits.store_unavailable' });
    events.push({ type: 'limits.store_unavailable', severity: 'high', posture });
  };
  const markUp = (events: LimitSignal[]) => {
    if (storeUp) return;
    storeUp = true;
    metrics.storeUp.set(1);
    log.warn('limits store reachable again: shared limits apply');
    metrics.events.inc({ type: 'limits.store_recovered' });
    events.push({ type: 'limits.store_recovered', severity: 'low' });
  };

  const seedKey = (scope: string, consumer: string, plan: string) => `${scope}\u0000${consumer}\u0000${plan}`;

  const keyed = createKeyedLimiter({
    shared,
    local,
    keeper,
    isRedis,
    healthy: () => o.store.healthy(),
    sharedNow,
    clock,
    replicas: cfg.replicas,
    sharedLeaseMs: isRedis ? cfg.leaseTtlMs : null,
    posture: (tier) => cfg.onStoreDown[`tier${tier}`],
    storeSeen: (err, posture) => {
      const events: LimitSignal[] = [];
      if (err === null) markUp(events);
      else if (posture !== null) markDown(events, posture, err);
      for (const e of events) log.warn({ ...e }, e.type);
    },
    leaseId: (requestId) => `${replicaId}:${(seq++).toString(36)}:${requestId}`,
    metrics,
  });

  return {
    metrics,
    keyed,
    replicaId,
    leases: () => keeper?.counts() ?? { live: 0, releases: 0, settles: 0 },
    usage(consumer) {
      const out: UsageView[] = [];
      for (const u of usage.values())
        if (u.consumer === consumer) out.push({ route: u.route, plan: u.plan, views: u.views, at: u.at });
      return out;
    },
    async admit(req) {
      const c = compiled.get(req.route.alias);
      if (c === undefined) throw internalError(`limiter: route ${req.route.alias} was not compiled at boot`);
      const ov = o.overrides?.();
      const plan = planOf(ov?.consumers[req.consumer]?.plan ?? req.plan);
      const plans = ov === undefined ? c.plans : specsFor(req.route, req.consumer, ov, c);
      const amounts: Amounts = [
        1,
        req.inputTokens,
        req.maxOutputTokens,
        Math.ceil(req.inputTokens * c.price.input + req.maxOutputTokens * c.price.output),
      ];
      const events: LimitSignal[] = [];
      // Owner (this replica) and request: a lease in Redis says who holds it.
      const leaseId = `${replicaId}:${(seq++).toString(36)}:${req.requestId ?? ''}`;
      const base = { scope: req.route.alias, consumer: req.consumer, amounts, leaseId };
      const key = seedKey(base.scope, base.consumer, plan);
      const sharedSpec = plans.shared.get(plan);
      if (sharedSpec === undefined) throw internalError(`limiter: plan ${plan} was not compiled at boot`);
      let backend = shared;
      let spec = sharedSpec;
      let posture: Posture | null = null;
      let outcome = null;
      if (!isRedis || o.store.healthy()) {
        try {
          outcome = await shared.admit({ ...base, spec, now: sharedNow() });
          if (isRedis) {
            markUp(events);
            seeds.learn(key, base.scope, outcome.views, outcome.inUse, clock(), c.runMs);
            if (outcome.ok) keeper?.hold(base.scope, { consumer: base.consumer, leaseId }, clock() + c.runMs);
          }
        } catch (err) {
          // The reply never came, but Redis may run the script when it wakes up: release the
          // lease by id once it answers again (whatever this request becomes meanwhile).
          keeper?.releaseLater(base.scope, { consumer: base.consumer, leaseId });
          posture = cfg.onStoreDown[`tier${req.tier}`];
          markDown(events, posture, err);
        }
      } else {
        posture = cfg.onStoreDown[`tier${req.tier}`];
        markDown(events, posture, new Error('redis not connected'));
      }
      if (outcome === null) {
        // Every path that leaves no outcome chose a posture.
        const p = posture;
        if (p === null) throw internalError('limiter: no outcome and no store-down posture');
        metrics.degraded.inc({ route: req.route.alias, posture: p });
        if (p === 'closed') {
          metrics.decisions.inc({ route: req.route.alias, result: 'refused', dimension: 'store' });
          const h: Record<string, string> = {};
          retryHeaders(UNAVAILABLE_RETRY_MS, h);
          throw new LimitRefusal('GH_ERR_LIMITS_UNAVAILABLE', h, events, 'store', p, null);
        }
        backend = local;
        const localSpec = plans.local.get(plan);
        if (localSpec === undefined)
          throw internalError(`limiter: local plan ${plan} was not compiled at boot`);
        spec = localSpec;
        // Not from zero: at most this replica's share of what Redis last said was left (fallback.ts).
        const now = clock();
        const allowance = seeds.allowance(key, base.scope, sharedSpec, cfg.replicas, now);
        outcome = await local.admit({ ...base, spec, now, allowance });
      }

      const headers: Record<string, string> = {};
      rateLimitHeaders(outcome.views, headers);
      noteUsage(req.consumer, req.route.alias, plan, outcome.views);
      if (!outcome.ok) {
        metrics.decisions.inc({ route: req.route.alias, result: 'refused', dimension: outcome.dimension });
        retryHeaders(outcome.retryAfterMs, headers);
        throw new LimitRefusal(
          REFUSAL[outcome.dimension],
          headers,
          events,
          outcome.dimension,
          posture,
          outcome.views,
        );
      }
      c.admitted.inc();
      for (const a of outcome.alerts) events.push(toEvent(a));
      for (const e of events) metrics.events.inc({ type: e.type });
      return {
        reservation: { backend, spec, ...base, plan, at: outcome.at, price: c.price, settled: false },
        headers,
        views: outcome.views,
        events,
        posture,
      };
    },

    async settle(res, inputTokens, outputTokens) {
      res.settled = true;
      const costMicros = Math.ceil(inputTokens * res.price.input + outputTokens * res.price.output);
      const deltas: Amounts = [
        0,
        inputTokens - res.amounts[1],
        outputTokens - res.amounts[2],
        costMicros - res.amounts[3],
      ];
      const isShared = res.backend === shared;
      const input = {
        scope: res.scope,
        consumer: res.consumer,
        spec: res.spec,
        at: res.at,
        deltas,
        leaseId: res.leaseId,
        now: isShared ? sharedNow() : clock(),
      };
      const learned = (inUse: InUse) => {
        if (!isShared || !isRedis) return;
        const runMs = compiled.get(res.scope)?.runMs ?? 0;
        seeds.learnInUse(seedKey(res.scope, res.consumer, res.plan), res.scope, inUse, clock(), runMs);
      };
      try {
        learned(await res.backend.settle(input));
        if (isShared) keeper?.drop(res.scope, res.leaseId);
      } catch (err) {
        metrics.settleFailures.inc();
        log.warn({ err }, 'limits settlement failed: retried until the store confirms it');
        // Retried idempotently until confirmed (leases.ts); the lease is renewed meanwhile. On
        // the memory store there is nothing to retry against: the reservation stays charged.
        if (isShared && keeper !== null) keeper.settleLater(input, learned);
      }
      return costMicros / 1e6;
    },

    async close() {
      keeper?.close();
      await shared.close();
      await local.close();
    },
  };
}

function toEvent(a: LimitAlert): LimitSignal {
  if (a.kind === 'softCap')
    return {
      type: 'limits.cost_soft_cap',
      severity: 'medium',
      usedUsd: a.used / 1e6,
      softCapUsd: a.limit / 1e6,
    };
  return {
    type: 'limits.quota_threshold',
    severity: 'low',
    dimension: a.dimension,
    window: a.window,
    used: a.used,
    limit: a.limit,
  };
}
