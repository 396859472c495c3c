import type { GatehouseError } from '../../errors/gatehouse-error.js';
import { upstreamStatusOf } from '../../pipeline/upstream-policy.js';

/**
 * What a failed attempt means for the next one:
 * - `retry`: idempotent and transient (nothing was generated or sent): connect errors, resets before
 *   an answer, 502/503/504, 429 — the same deployment again after a backoff;
 * - `next`: this deployment cannot answer now (a 500, a first-byte timeout, a TLS failure, our own
 *   misconfiguration of it): the next deployment, no retry (the model may have worked on it);
 * - `stop`: the request itself is the problem (rejected as invalid) or its time is up: no one else.
 * `breaker`: whether it counts against the deployment's circuit breaker.
 */
export interface FailureClass {
  readonly next: 'retry' | 'next' | 'stop';
  readonly breaker: boolean;
}

const RETRY: FailureClass = { next: 'retry', breaker: true };
const NEXT: FailureClass = { next: 'next', breaker: true };
const STOP: FailureClass = { next: 'stop', breaker: false };

const BY_CODE: Readonly<Record<string, FailureClass>> = {
  GH_ERR_UPSTREAM_UNAVAILABLE: RETRY,
  GH_ERR_UPSTREAM_CONNECT_TIMEOUT: RETRY,
  GH_ERR_UPSTREAM_RESET: RETRY,
  GH_ERR_UPSTREAM_RATE_LIMITED: { next: 'retry', breaker: false },
  GH_ERR_UPSTREAM_FIRST_BYTE_TIMEOUT: NEXT,
  GH_ERR_UPSTREAM_IDLE_TIMEOUT: NEXT,
  GH_ERR_UPSTREAM_TLS: NEXT,
  GH_ERR_UPSTREAM_BAD_RESPONSE: NEXT,
  GH_ERR_UPSTREAM_READ_FAILED: NEXT,
  GH_ERR_UPSTREAM_RESPONSE_TOO_LARGE: STOP,
  GH_ERR_UPSTREAM_REJECTED: STOP,
  GH_ERR_UPSTREAM_TOTAL_TIMEOUT: STOP,
};

export function classifyFailure(err: GatehouseError): FailureClass {
  if (err.code === 'GH_ERR_UPSTREAM_ERROR') {
    const s = upstreamStatusOf(err);
    if (s === 502 || s === 503 || s === 504) return RETRY;
    if (s !== null && s >= 500) return NEXT;
    // 401/403/404: this deployment's credentials or path are wrong; the backup may be fine.
    return { next: 'next', breaker: false };
  }
  return BY_CODE[err.code] ?? STOP;
}

/** `retry-after` in seconds or as an HTTP date → ms from now (null when absent or unreadable). */
export function retryAfterMs(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1_000;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : Math.max(0, t - now);
}

/** Exponential backoff with jitter: between half and all of min(maxMs, baseMs·2^(n−1)) (n = attempts made). */
export function backoffMs(
  n: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.max(0, n - 1));
  return Math.round(cap / 2 + random() * (cap / 2));
}
