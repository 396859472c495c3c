/**
 * The one name of each limiter dimension outside the limiter: audit events (`gatehouse.limit.
 * dimension`, `gatehouse.budget.dimension`), metric labels, the quota alert's key. The limiter's
 * refusal path and its quota-threshold path both name a dimension through this table, so one quota
 * condition is one alert (they used to disagree: `input_tokens` and `inputTokens/m`).
 */
export const LIMIT_DIMENSION_NAMES = {
  requests: 'requests',
  inputTokens: 'input_tokens',
  outputTokens: 'output_tokens',
  cost: 'cost',
  concurrency: 'concurrency',
  globalConcurrency: 'global_concurrency',
  store: 'store_unavailable',
} as const;

export type LimitDimensionKey = keyof typeof LIMIT_DIMENSION_NAMES;
/** The dimensions charged into sliding windows (the others are leases, or the store itself). */
export type WindowedLimitDimension = Exclude<
  LimitDimensionKey,
  'concurrency' | 'globalConcurrency' | 'store'
>;
/** `m`: the minute window, `s`: the sustain window, `h`: the cost hour. One character: it prefixes bucket fields. */
export type LimitWindowId = 'm' | 's' | 'h';
export type LimitDimensionName = (typeof LIMIT_DIMENSION_NAMES)[LimitDimensionKey];

/** The public name of a limiter dimension (unknown keys pass through unchanged). */
export function limitDimensionName(d: string): string {
  return Object.hasOwn(LIMIT_DIMENSION_NAMES, d) ? LIMIT_DIMENSION_NAMES[d as LimitDimensionKey] : d;
}

/**
 * Quota consumption seen by the limiter for this request's consumer: the limiter writes it, the
 * audit event and the quota alert read it (here so neither feature imports the other).
 */
export interface QuotaUsage {
  readonly dimension: string;
  readonly used: number;
  readonly limit: number;
}
