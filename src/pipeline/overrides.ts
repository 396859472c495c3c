import type { PlanOverride } from '../config/schema/limits.js';
import type { GuardAction } from '../formats/guard-names.js';
import type { Runtime } from './runtime.js';
import { defineService } from './slot.js';

/**
 * Runtime overrides: what operators change through the control plane, kept in the store so every
 * replica sees it within a second, overlaid on the YAML (which stays the source of truth for what
 * is not overridden). The admin feature owns the store copy and sets `OVERLAY`; the limiter, the
 * authenticator, the guard and the route stage read the synchronous snapshot here, so none of them
 * imports the admin feature and no request waits on the store for it.
 */

/** Guard detector sections whose action an operator may toggle per route. */
export const GUARD_TOGGLES = ['injection', 'pii', 'secrets', 'policy'] as const;
export type GuardToggle = (typeof GUARD_TOGGLES)[number];

/** A data-plane API key issued through the control plane (its hash only; the key is shown once). */
export interface IssuedKey {
  readonly id: string;
  /** `sha256:<hex>` or `hmac-sha256:<hex>`, the data plane's scheme (auth.apiKeys.pepper). */
  readonly hash: string;
  readonly expiresAt?: string;
  readonly issuedBy: string;
  readonly issuedAt: string;
}

export interface ConsumerOverride {
  readonly disabled?: boolean;
  /** A named plan of `limits.plans` in place of the consumer's configured plan. */
  readonly plan?: string;
  /** Parts of a plan on top of whichever plan applies (every route). */
  readonly limits?: PlanOverride;
  readonly keys?: readonly IssuedKey[];
}

export interface RouteOverride {
  /** Action per detector section, over the YAML policy of the route. */
  readonly guard?: Partial<Record<GuardToggle, GuardAction>>;
  /** The pinned model id sent upstream, in place of `upstream.model`. */
  readonly model?: string;
}

export interface Overrides {
  /** Increases by one with every change (compare-and-set across replicas). */
  readonly version: number;
  readonly updatedAt: string | null;
  readonly consumers: Readonly<Record<string, ConsumerOverride>>;
  readonly routes: Readonly<Record<string, RouteOverride>>;
}

export const EMPTY_OVERRIDES: Overrides = Object.freeze({
  version: 0,
  updatedAt: null,
  consumers: Object.freeze({}),
  routes: Object.freeze({}),
});

export interface OverlayView {
  /** The latest snapshot this replica has (synchronous: the hot path never waits on the store). */
  current(): Overrides;
}

export const OVERLAY = defineService<OverlayView>('overrides.view');

/**
 * A reader for stages and services built before the overlay's owner: the service is looked up on
 * each call (one WeakMap read), and without it (admin feature not loaded) nothing is overridden.
 */
export function overlayReader(rt: Pick<Runtime, 'services'>): () => Overrides {
  return () => OVERLAY.get(rt)?.current() ?? EMPTY_OVERRIDES;
}

/**
 * A value derived from the overlay, recomputed only when the overlay's version changes (compiled
 * guard policies, key tables): the hot path pays one comparison.
 */
export function derived<T>(read: () => Overrides, build: (ov: Overrides) => T): () => T {
  let cached: { readonly version: number; readonly v: T } | null = null;
  return () => {
    const ov = read();
    if (cached === null || ov.version !== cached.version) cached = { version: ov.version, v: build(ov) };
    return cached.v;
  };
}
