import type { LimitBackend, LimitSpec } from './types.js';

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
