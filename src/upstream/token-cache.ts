import type { TokenCounter } from '../formats/token-counter.js';

/**
 * Token counts remembered per message text (issue 13): a multi-turn conversation resends its whole
 * history on every turn, and the input count (about 60 µs per ~1 KB request with o200k_base) was
 * paid again for every message each time. A wrapper around any `TokenCounter` (the tokenizer itself
 * is untouched): only `within` — the per-request input count — is cached; plain calls (output deltas,
 * each new) go straight through.
 *
 * Keys are scoped (the caps stage passes the consumer): a cache shared across consumers would let
 * one tell, by timing, whether another recently sent a given text. Bounded by characters held, not
 * entries: least recently used first out. Texts shorter than `MIN_CHARS` cost less to count than
 * to look up; longer than `MAX_CHARS` are not kept (one would crowd out the rest).
 */
const MIN_CHARS = 64;
const MAX_CHARS = 64 * 1024;

export interface TokenCacheOptions {
  /** Characters of text kept as keys, in all (memory is about twice this, in bytes). */
  readonly maxChars: number;
}

export function cachedTokenCounter(inner: TokenCounter, opts: TokenCacheOptions): TokenCounter {
  // A Map iterates in insertion order: re-inserting on a hit makes its first key the least recent.
  const lru = new Map<string, number>();
  let held = 0;
  const remember = (key: string, n: number): void => {
    lru.set(key, n);
    held += key.length;
    for (const k of lru.keys()) {
      if (held <= opts.maxChars) break;
      lru.delete(k);
      held -= k.length;
    }
  };
  const count = ((text: string) => inner(text)) as TokenCounter;
  count.within = (cap: number, scope = '') => {
    let total = 0;
    return (text: string): number => {
      if (text.length < MIN_CHARS || text.length > MAX_CHARS) {
        const n = inner.within(Math.max(0, cap - total))(text);
        total += n;
        return n;
      }
      const key = `${scope}\u0000${text}`;
      const hit = lru.get(key);
      if (hit !== undefined) {
        lru.delete(key);
        lru.set(key, hit);
        total += hit;
        return hit;
      }
      const n = inner.within(Math.max(0, cap - total))(text);
      // Exact only while within the cap (past it `within` returns a lower bound): keep exact counts only.
      if (total + n <= cap) remember(key, n);
      total += n;
      return n;
    };
  };
  return count;
}
