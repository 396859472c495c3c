import type { WindowSpec, WindowView } from './types.js';

/*
 * Sliding-window arithmetic of the memory backend (the Lua scripts mirror it). A window of
 * n = lengthMs / bucketMs buckets counts bucket b at time `now` while b >= cur - n, where
 * cur = floor(now / bucketMs): the counted span then starts at (cur - n) · bucketMs, which is never
 * later than now − lengthMs. So every interval of lengthMs is inside the span seen by its last
 * admission, and the cap holds over every such interval.
 */

/** The instant bucket b stops being counted. */
function leavesAt(w: WindowSpec, b: number): number {
  return (b + w.lengthMs / w.bucketMs + 1) * w.bucketMs;
}

/**
 * How long until `amount` more fits: the oldest buckets leave the window first. An amount larger
 * than the whole cap never fits; the answer is then the window length (the client must shrink it).
 */
export function retryAfter(
  w: WindowSpec,
  buckets: Array<[number, number]>,
  used: number,
  amount: number,
  now: number,
): number {
  if (amount > w.cap) return w.lengthMs;
  const need = used + amount - w.cap;
  const sorted = [...buckets].sort((a, b) => a[0] - b[0]);
  let freed = 0;
  for (const [b, v] of sorted) {
    freed += v;
    if (freed >= need) return Math.max(1, leavesAt(w, b) - now);
  }
  return w.lengthMs;
}

/** `newest` is the newest non-empty bucket or -1. */
export function viewOf(w: WindowSpec, used: number, newest: number, now: number): WindowView {
  return {
    limit: w.cap,
    remaining: Math.max(0, w.cap - used),
    resetMs: used > 0 && newest >= 0 ? Math.max(0, leavesAt(w, newest) - now) : 0,
  };
}
