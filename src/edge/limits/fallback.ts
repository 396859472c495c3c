import type { Allowance, InUse, LimitSpec, Views } from './types.js';

/**
 * What the shared store last told this replica, per consumer, route and plan: the seed of the
 * `local` posture (issue 10, finding 3: the local limiter must not start from zero).
 *
 * Every answer from Redis (admission or refusal, and every settlement) carries the remaining
 * budget of each windowed dimension (its binding window) and the leases held. When Redis stops
 * answering, this replica admits locally at most its share of what was left:
 *
 *   windows:     floor(remaining / replicas) more per dimension, while the window that reported it
 *                has not emptied (`resetMs` after the answer); afterwards the local caps alone;
 *   concurrency: floor((limit − leases held) / replicas) leases, for as long as a request seen then
 *                may still run (the route's `timeouts.totalMs + leaseGraceMs`).
 *
 * always on top of the local caps (every cap divided by `replicas`). A consumer this replica has
 * not seen recently gets the local caps alone: there is nothing else to know. Never unlimited.
 */
const MAX_ENTRIES = 50_000;

interface Known {
  readonly remaining: [number, number, number, number];
  readonly until: [number, number, number, number];
  inUse: number;
  inUseUntil: number;
}

export interface FallbackSeeds {
  /** An admission's (or refusal's) answer from the shared store, received at `at` (local clock). */
  learn(key: string, scope: string, views: Views, inUse: InUse, at: number, runMs: number): void;
  /** A settlement's answer: only the leases changed. */
  learnInUse(key: string, scope: string, inUse: InUse, at: number, runMs: number): void;
  /** The ceiling for a local admission of `key` at `now`. */
  allowance(key: string, scope: string, shared: LimitSpec, replicas: number, now: number): Allowance;
}

export function createFallbackSeeds(): FallbackSeeds {
  const consumers = new Map<string, Known>();
  const routes = new Map<string, { inUse: number; until: number }>();

  const remember = (key: string, k: Known) => {
    // Re-inserted on every answer: the Map's order is then least recently seen first.
    consumers.delete(key);
    consumers.set(key, k);
    if (consumers.size > MAX_ENTRIES) {
      const oldest = consumers.keys().next().value;
      if (oldest !== undefined) consumers.delete(oldest);
    }
  };

  return {
    learn(key, scope, views, inUse, at, runMs) {
      remember(key, {
        remaining: [views[0].remaining, views[1].remaining, views[2].remaining, views[3].remaining],
        until: [at + views[0].resetMs, at + views[1].resetMs, at + views[2].resetMs, at + views[3].resetMs],
        inUse: inUse[0],
        inUseUntil: at + runMs,
      });
      routes.set(scope, { inUse: inUse[1], until: at + runMs });
    },
    learnInUse(key, scope, inUse, at, runMs) {
      const k = consumers.get(key);
      if (k !== undefined) {
        k.inUse = inUse[0];
        k.inUseUntil = at + runMs;
      }
      routes.set(scope, { inUse: inUse[1], until: at + runMs });
    },
    allowance(key, scope, shared, replicas, now) {
      const share = (left: number) => Math.floor(Math.max(0, left) / replicas);
      const k = consumers.get(key);
      const r = routes.get(scope);
      const w = (d: 0 | 1 | 2 | 3) =>
        k !== undefined && now < k.until[d] ? share(k.remaining[d]) : Number.POSITIVE_INFINITY;
      return {
        windows: [w(0), w(1), w(2), w(3)],
        concurrency:
          k !== undefined && now < k.inUseUntil
            ? share(shared.concurrency - k.inUse)
            : Number.POSITIVE_INFINITY,
        globalConcurrency:
          r !== undefined && now < r.until
            ? share(shared.globalConcurrency - r.inUse)
            : Number.POSITIVE_INFINITY,
      };
    },
  };
}
