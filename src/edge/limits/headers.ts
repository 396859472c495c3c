import type { Views, WindowView } from './types.js';

/** OpenAI's duration format for reset headers: `20ms`, `1.5s`, `6m0s`, `1h2m3s`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.max(0, Math.ceil(ms))}ms`;
  const totalS = Math.ceil(ms / 100) / 10;
  if (totalS < 60) return `${totalS}s`;
  const h = Math.floor(totalS / 3_600);
  const m = Math.floor((totalS % 3_600) / 60);
  const s = Math.round((totalS % 60) * 10) / 10;
  return h > 0 ? `${h}h${m}m${s}s` : `${m}m${s}s`;
}

const fraction = (v: WindowView): number => (v.limit === 0 ? 0 : v.remaining / v.limit);

/**
 * The OpenAI rate-limit headers, on every response. OpenAI has one token budget; Gatehouse has
 * two, so `-tokens` reports whichever of input and output is closer to running out, and the
 * `-input-tokens` / `-output-tokens` headers give both.
 */
export function rateLimitHeaders(views: Views, into: Record<string, string>): void {
  const [rq, it, ot] = views;
  const tok = fraction(ot) < fraction(it) ? ot : it;
  into['x-ratelimit-limit-requests'] = String(rq.limit);
  into['x-ratelimit-remaining-requests'] = String(rq.remaining);
  into['x-ratelimit-reset-requests'] = formatDuration(rq.resetMs);
  into['x-ratelimit-limit-tokens'] = String(tok.limit);
  into['x-ratelimit-remaining-tokens'] = String(tok.remaining);
  into['x-ratelimit-reset-tokens'] = formatDuration(tok.resetMs);
  into['x-ratelimit-limit-input-tokens'] = String(it.limit);
  into['x-ratelimit-remaining-input-tokens'] = String(it.remaining);
  into['x-ratelimit-limit-output-tokens'] = String(ot.limit);
  into['x-ratelimit-remaining-output-tokens'] = String(ot.remaining);
}

/** `retry-after` in whole seconds (never 0), and `retry-after-ms`, which the OpenAI SDKs read first. */
export function retryHeaders(ms: number, into: Record<string, string>): void {
  into['retry-after'] = String(Math.max(1, Math.ceil(ms / 1_000)));
  into['retry-after-ms'] = String(Math.max(1, Math.ceil(ms)));
}
