import type { ErrorCode } from '../errors/catalog.js';
import type { Tier } from '../identity.js';
import { defineService } from './slot.js';

/**
 * The main limiter (src/edge/limits) as features outside the model routes use it: a limit on any
 * named scope (a tool, for instance) with a request rate and a concurrency cap, counted in the same
 * store with the same scripts, leases and store-down postures as the model routes.
 */
export interface KeyedLimitDef {
  /** Admissions per sliding minute per key, plus a burst on top (averaged over five minutes). */
  readonly rate?: { readonly perMinute: number; readonly burst: number };
  /** Admissions of one key in flight (leases, released when the call ends). */
  readonly concurrency?: number;
  /** How long a lease lives at most (the call's timeout plus grace): a lost release expires. */
  readonly leaseMs: number;
  /** The codes of a refusal (429), so each caller speaks its own catalog entries. */
  readonly codes: { readonly rate: ErrorCode; readonly concurrency: ErrorCode };
}

/** Held until the call ends: release it exactly once (further calls do nothing). */
export type KeyedRelease = () => void;

export interface KeyedLimit {
  /**
   * Admits one call for `key` (a consumer) or throws the refusal: a GatehouseError with its code and
   * `retry-after` / `retry-after-ms` headers, or GH_ERR_LIMITS_UNAVAILABLE when the store is down
   * and the tier's posture is `closed`.
   */
  admit(key: string, tier: Tier, requestId: string): Promise<KeyedRelease>;
}

export interface KeyedLimiter {
  /** Compiles a limit once (at boot) for one scope, e.g. `tool:crm.refund`. */
  compile(scope: string, def: KeyedLimitDef): KeyedLimit;
}

/** Set by the limits feature when `limits.enabled`; absent, nothing can enforce keyed limits. */
export const KEYED_LIMITER = defineService<KeyedLimiter>('limits.keyed');
