import type { Posture } from '../../config/schema/limits.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { Tier } from '../../identity.js';
import type { KeyedLimit, KeyedLimitDef, KeyedLimiter } from '../../pipeline/keyed-limits.js';
import { retryHeaders } from './headers.js';
import type { LeaseKeeper } from './leases.js';
import type { LimitMetrics } from './metrics.js';
import type { Amounts, LimitBackend, LimitSpec, WindowSpec } from './types.js';

/** A cap nothing reaches: the token and cost dimensions of a keyed limit, and an unset part. */
const UNBOUNDED = 1e15;
const MINUTE = 60_000;
/** A burst is averaged out over this many minutes (the route plans' default `sustainMinutes`). */
const SUSTAIN_MINUTES = 5;
/** Tell a closed-posture client to come back soon: Redis usually returns within seconds. */
const UNAVAILABLE_RETRY_MS = 1_000;
/** One call: one request, no tokens, no cost. */
const ONE_CALL: Amounts = [1, 0, 0, 0];

/** What the limiter lends its keyed limits: the same backends, lease keeper, clock and posture. */
export interface KeyedCore {
  readonly shared: LimitBackend;
  readonly local: LimitBackend;
  readonly keeper: LeaseKeeper | null;
  readonly isRedis: boolean;
  readonly healthy: () => boolean;
  readonly sharedNow: () => number | null;
  readonly clock: () => number;
  readonly replicas: number;
  /** On Redis a lease lives `leaseTtlMs` and its owner renews it; null: the limit's own leaseMs. */
  readonly sharedLeaseMs: number | null;
  readonly posture: (tier: Tier) => Posture;
  /** The store answered (true) or failed (the error): the limiter's own up/down bookkeeping. */
  readonly storeSeen: (err: unknown, posture: Posture | null) => void;
  readonly leaseId: (requestId: string) => string;
  readonly metrics: LimitMetrics;
}

const unbounded = (id: 'm' | 'h'): WindowSpec => ({
  id,
  lengthMs: MINUTE,
  bucketMs: 1_000,
  cap: UNBOUNDED,
});

/** A keyed limit as a limiter spec: the request dimension carries the rate, the rest is unbounded. */
export function keyedSpec(def: KeyedLimitDef, divisor: number): LimitSpec {
  const share = (n: number) => Math.max(1, Math.floor(n / divisor));
  const r = def.rate;
  const requests: WindowSpec[] =
    r === undefined
      ? [unbounded('m')]
      : [
          { id: 'm', lengthMs: MINUTE, bucketMs: 1_000, cap: share(r.perMinute + r.burst) },
          ...(r.burst === 0
            ? []
            : [
                {
                  id: 's' as const,
                  lengthMs: SUSTAIN_MINUTES * MINUTE,
                  bucketMs: (SUSTAIN_MINUTES * MINUTE) / 60,
                  cap: share(r.perMinute * SUSTAIN_MINUTES),
                },
              ]),
        ];
  return {
    windows: [requests, [unbounded('m')], [unbounded('m')], [unbounded('h')]],
    concurrency: def.concurrency === undefined ? UNBOUNDED : share(def.concurrency),
    globalConcurrency: UNBOUNDED,
    softCostMicros: UNBOUNDED,
    // Above 1: a keyed limit raises no quota alerts (its refusals are counted in the metrics).
    alertRatio: 2,
    leaseMs: def.leaseMs,
  };
}

/**
 * Keyed limits on the limiter's own machinery: one atomic admission per call (Redis script or
 * memory backend), a concurrency lease renewed by the lease keeper and released when the call
 * ends, and the tier's store-down posture (`closed` refuses, `local` counts this replica's share).
 */
export function createKeyedLimiter(core: KeyedCore): KeyedLimiter {
  return {
    compile(scope: string, def: KeyedLimitDef): KeyedLimit {
      const sharedSpec = keyedSpec({ ...def, leaseMs: core.sharedLeaseMs ?? def.leaseMs }, 1);
      const localSpec = keyedSpec(def, core.replicas);
      const refused = (code: KeyedLimitDef['codes']['rate'], retryMs: number, dimension: string) => {
        core.metrics.decisions.inc({ route: scope, result: 'refused', dimension });
        const headers: Record<string, string> = {};
        retryHeaders(retryMs, headers);
        return new GatehouseError(code, { headers });
      };
      return {
        async admit(key, tier, requestId) {
          const leaseId = core.leaseId(requestId);
          const base = { scope, consumer: key, amounts: ONE_CALL, leaseId };
          let backend = core.shared;
          let outcome = null;
          let posture: Posture | null = null;
          if (!core.isRedis || core.healthy()) {
            try {
              outcome = await core.shared.admit({ ...base, spec: sharedSpec, now: core.sharedNow() });
              core.storeSeen(null, null);
            } catch (err) {
              core.keeper?.releaseLater(scope, { consumer: key, leaseId });
              posture = core.posture(tier);
              core.storeSeen(err, posture);
            }
          } else {
            posture = core.posture(tier);
            core.storeSeen(new Error('redis not connected'), posture);
          }
          if (outcome === null) {
            if (posture === 'closed') {
              core.metrics.decisions.inc({ route: scope, result: 'refused', dimension: 'store' });
              const headers: Record<string, string> = {};
              retryHeaders(UNAVAILABLE_RETRY_MS, headers);
              throw new GatehouseError('GH_ERR_LIMITS_UNAVAILABLE', { headers });
            }
            backend = core.local;
            outcome = await core.local.admit({ ...base, spec: localSpec, now: core.clock() });
          }
          if (!outcome.ok) {
            if (outcome.dimension === 'concurrency')
              throw refused(def.codes.concurrency, outcome.retryAfterMs, 'concurrency');
            throw refused(def.codes.rate, outcome.retryAfterMs, outcome.dimension);
          }
          core.metrics.decisions.inc({ route: scope, result: 'admitted', dimension: '' });
          const shared = backend === core.shared && core.isRedis;
          if (shared) core.keeper?.hold(scope, { consumer: key, leaseId }, core.clock() + def.leaseMs);
          let released = false;
          return () => {
            if (released) return;
            released = true;
            if (shared) core.keeper?.drop(scope, leaseId);
            backend.release(scope, { consumer: key, leaseId }).catch(() => {
              // The store went away: the lease expires on its own after leaseMs (or the keeper's TTL).
              if (shared) core.keeper?.releaseLater(scope, { consumer: key, leaseId });
            });
          };
        },
      };
    },
  };
}
