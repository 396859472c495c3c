/**
 * A consecutive-failure breaker on the Judge endpoint: `failureThreshold` failures in a row open
 * it for `openMs`; then one trial call (half-open) closes it on success or reopens it on failure.
 * While open, workers leave records in the queue (they are judged later), never drop them.
 */
export type BreakerState = 'closed' | 'open' | 'half_open';

export interface Breaker {
  state(): BreakerState;
  /** True when a call may go out now (in half-open, only one at a time). */
  allow(): boolean;
  success(): void;
  failure(): void;
}

export function createBreaker(
  opts: { failureThreshold: number; openMs: number },
  now: () => number = Date.now,
): Breaker {
  let failures = 0;
  let openedAt: number | null = null;
  let trial = false;
  const state = (): BreakerState => {
    if (openedAt === null) return 'closed';
    return now() - openedAt >= opts.openMs ? 'half_open' : 'open';
  };
  return {
    state,
    allow() {
      const s = state();
      if (s === 'closed') return true;
      if (s === 'open' || trial) return false;
      trial = true;
      return true;
    },
    success() {
      failures = 0;
      openedAt = null;
      trial = false;
    },
    failure() {
      failures += 1;
      if (trial || failures >= opts.failureThreshold) openedAt = now();
      trial = false;
    },
  };
}
