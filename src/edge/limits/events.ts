import type { Posture } from '../../config/schema/limits.js';
import type { LimitBackend, LimitSpec, WindowedDimension, WindowId } from './types.js';

/**
 * Alert signals the limiter raises on a request. Each quota and soft-cap event fires once per
 * window across all replicas (the store decides, atomically with the admission); the store events
 * fire on each transition. The record stage and the alert engine read `ctx.limitEvents`.
 */
export type LimitEvent =
  | {
      readonly type: 'limits.quota_threshold';
      readonly severity: 'low';
      readonly dimension: WindowedDimension;
      readonly window: WindowId;
      readonly used: number;
      readonly limit: number;
    }
  | {
      readonly type: 'limits.cost_soft_cap';
      readonly severity: 'medium';
      /** US dollars in the sliding hour, this request's estimate included. */
      readonly usedUsd: number;
      readonly softCapUsd: number;
    }
  | { readonly type: 'limits.store_unavailable'; readonly severity: 'high'; readonly posture: Posture }
  | { readonly type: 'limits.store_recovered'; readonly severity: 'low' };

/** What admission reserved: settlement corrects exactly these buckets and releases this lease. */
export interface Reservation {
  readonly backend: LimitBackend;
  readonly spec: LimitSpec;
  readonly scope: string;
  readonly consumer: string;
  /** requests, input tokens, output tokens, cost in micro-dollars. */
  readonly amounts: readonly [number, number, number, number];
  readonly at: number;
  readonly leaseId: string;
  /** The plan the reservation was made under (keys what the limiter learns from the store). */
  readonly plan: string;
  /** Micro-dollars per token for this route's pinned model. */
  readonly price: { readonly input: number; readonly output: number };
  settled: boolean;
}
