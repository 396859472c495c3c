/**
 * What a route's compiled tokenizer is (src/upstream/tokenizer.ts builds one per route): here so the
 * runtime types and validation name it without importing the upstream feature.
 */
export interface TokenCounter {
  /** Tokens of `text`: exact for text with no hard cut; src/upstream/tokenizer.ts states the bound otherwise. */
  (text: string): number;
  /**
   * A counter for one request whose input may hold at most `cap` tokens. It sums what it counts;
   * once the sum passes `cap` it stops counting exactly and returns the linear lower bound, so the
   * total it reports is the exact total when that is <= `cap`, and a lower bound that is > `cap`
   * otherwise. Synchronous and single-use: create one per request. `scope` (the consumer) keys any
   * cache a wrapper keeps (src/upstream/token-cache.ts); counters without a cache ignore it.
   */
  within(cap: number, scope?: string): (text: string) => number;
}
