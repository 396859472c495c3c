/**
 * The request's system prompt, indexed once per distinct prompt rather than once per request
 * (issue 13: indexing it was ~2% of the full pipeline's request time). A conversation resends the
 * same system message on every turn, and an application sends one system prompt for all its users.
 * Indexes are read-only once built (src/guard/output/similarity.ts), so a cached one is shared.
 *
 * Keys are scoped by consumer, as the token-count cache (src/upstream/token-cache.ts): a cache
 * shared across consumers would let one tell, by timing, whether another recently sent a prompt.
 * Bounded by the characters held; least recently used first out. A prompt longer than `MAX_CHARS`
 * is indexed per request and not kept.
 */
import { indexPrompt, mergeIndexes, type PromptIndex, type SimilarityOptions } from './similarity.js';

const MAX_CHARS = 64 * 1024;

export interface PromptIndexCache {
  /** The route's index merged with the index of `texts` (the request's system messages). */
  get(scope: string, texts: readonly string[]): PromptIndex | null;
}

export function createPromptIndexCache(
  routePrompt: PromptIndex | null,
  opts: SimilarityOptions,
  maxChars = 1024 * 1024,
): PromptIndexCache {
  const build = (texts: readonly string[]): PromptIndex | null =>
    mergeIndexes([routePrompt, indexPrompt(texts, opts)]);
  const lru = new Map<string, PromptIndex | null>();
  let held = 0;
  return {
    get(scope, texts) {
      let chars = 0;
      for (const t of texts) chars += t.length;
      if (chars > MAX_CHARS) return build(texts);
      // Lengths in the key: ["a\u0000b"] and ["a", "b"] are different prompts.
      const key = `${scope}\u0000${texts.map((t) => t.length).join(',')}\u0000${texts.join('')}`;
      if (lru.has(key)) {
        const hit = lru.get(key) ?? null;
        lru.delete(key);
        lru.set(key, hit);
        return hit;
      }
      const index = build(texts);
      lru.set(key, index);
      held += key.length;
      for (const k of lru.keys()) {
        if (held <= maxChars) break;
        lru.delete(k);
        held -= k.length;
      }
      return index;
    },
  };
}
