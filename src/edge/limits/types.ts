import type { LimitWindowId, WindowedLimitDimension } from '../../formats/limit-dimension.js';

/**
 * The limiter's vocabulary. Windowed dimensions are charged into sliding-window counters; the two
 * concurrency dimensions are leases. The order of `WINDOWED` is the order of the Lua KEYS/ARGV and
 * of every per-dimension tuple below; it is also the order in which a refusal is reported.
 */
export const WINDOWED = [
  'requests',
  'inputTokens',
  'outputTokens',
  'cost',
] as const satisfies readonly WindowedLimitDimension[];
export type WindowedDimension = (typeof WINDOWED)[number];
export const DIMENSIONS = [...WINDOWED, 'concurrency', 'globalConcurrency'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** One value per windowed dimension, in `WINDOWED` order. Cost is in micro-dollars (integers). */
export type Amounts = readonly [
  requests: number,
  inputTokens: number,
  outputTokens: number,
  costMicros: number,
];

export type WindowId = LimitWindowId;

/**
 * A sliding-window counter: `lengthMs / bucketMs` buckets of `bucketMs`. An admission counts every
 * bucket that may hold a charge from the last `lengthMs` (so it looks back between `lengthMs` and
 * `lengthMs + bucketMs`): the cap then holds over every interval of `lengthMs`, never more.
 */
export interface WindowSpec {
  readonly id: WindowId;
  readonly lengthMs: number;
  readonly bucketMs: number;
  readonly cap: number;
}

/** Everything a backend needs for one (route, plan): compiled once at boot. */
export interface LimitSpec {
  readonly windows: readonly [
    readonly WindowSpec[],
    readonly WindowSpec[],
    readonly WindowSpec[],
    readonly WindowSpec[],
  ];
  readonly concurrency: number;
  readonly globalConcurrency: number;
  readonly softCostMicros: number;
  readonly alertRatio: number;
  /** How long a concurrency lease lives unless released (a dead replica's slots come back after it). */
  readonly leaseMs: number;
}

/** What a client is told about one dimension: its binding window. */
export interface WindowView {
  readonly limit: number;
  readonly remaining: number;
  /** ms until the window is empty again. */
  readonly resetMs: number;
}

export type Views = readonly [WindowView, WindowView, WindowView, WindowView];

/** An alert that fired: at most once per window, across replicas. */
export type LimitAlert =
  | {
      readonly kind: 'quota';
      readonly dimension: WindowedDimension;
      readonly window: WindowId;
      readonly used: number;
      readonly limit: number;
    }
  | { readonly kind: 'softCap'; readonly used: number; readonly limit: number };

/** Leases held after the call: the consumer's on the route, and the route's (all consumers). */
export type InUse = readonly [consumer: number, route: number];

/**
 * A ceiling on top of a spec (the `local` posture, seeded from what the shared store last said):
 * per windowed dimension at most this much more may be admitted, and at most this many leases.
 * `Infinity` where nothing is known.
 */
export interface Allowance {
  readonly windows: readonly [number, number, number, number];
  readonly concurrency: number;
  readonly globalConcurrency: number;
}

/** A lease as its owner knows it. Lease ids are `<replica id>:<sequence>:<request id>`. */
export interface LeaseRef {
  readonly consumer: string;
  readonly leaseId: string;
}

export interface AdmitInput {
  /** The route alias: the Redis hash tag, so one admission touches one Cluster slot. */
  readonly scope: string;
  readonly consumer: string;
  readonly spec: LimitSpec;
  readonly amounts: Amounts;
  readonly leaseId: string;
  /** null: the backend's own clock (Redis TIME on Redis). */
  readonly now: number | null;
  /** Only the memory backend applies it (the `local` posture). */
  readonly allowance?: Allowance;
}

export type AdmitOutcome =
  | {
      readonly ok: true;
      readonly at: number;
      readonly views: Views;
      readonly alerts: readonly LimitAlert[];
      readonly inUse: InUse;
    }
  | {
      readonly ok: false;
      readonly at: number;
      readonly views: Views;
      readonly dimension: Dimension;
      readonly retryAfterMs: number;
      readonly inUse: InUse;
    };

export interface SettleInput {
  readonly scope: string;
  readonly consumer: string;
  readonly spec: LimitSpec;
  /** The admission time: charges live in the buckets of that instant. */
  readonly at: number;
  /** actual − reserved per dimension (negative releases, positive charges an underestimate). */
  readonly deltas: Amounts;
  readonly leaseId: string;
  readonly now: number | null;
  /**
   * A retry of a settlement whose first attempt timed out (it may have been applied): correct the
   * windows only if the lease is still held, i.e. the first attempt did not run. The lease is the
   * settlement's idempotency token.
   */
  readonly retry?: boolean;
}

export interface LimitBackend {
  readonly kind: 'memory' | 'redis';
  admit(input: AdmitInput): Promise<AdmitOutcome>;
  settle(input: SettleInput): Promise<InUse>;
  /** Extends the live ones of these leases to `now + ttlMs` (the owner's heartbeat); expired ones stay expired. */
  renew(scope: string, leases: readonly LeaseRef[], ttlMs: number, now: number | null): Promise<void>;
  /** Drops a lease (idempotent): reconciles an admission whose reply never came. */
  release(scope: string, lease: LeaseRef): Promise<void>;
  close(): Promise<void>;
}
