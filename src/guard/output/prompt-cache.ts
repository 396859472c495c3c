/**
 * The request's system prompt, indexed once per distinct prompt rather than once per request
 * (issue 13: indexing it was ~2% of the full pipeline's request time, and indexing its rule
 * sentences for the instruction-echo check about as much again). A conversation resends the same
 * system message on every turn, and an application sends one system prompt for all its users.
 * Indexes are read-only once built (src/guard/output/similarity.ts, echo.ts), so a cached one is shared.
 *
 * Keys are scoped by consumer, as the token-count cache (src/upstream/token-cache.ts): a cache
 * shared across consumers would let one tell, by timing, whether another recently sent a prompt.
 * Bounded by the characters held; least recently used first out. A prompt longer than `MAX_CHARS`
 * is indexed per request and not kept.
 */
import { indexRules, mergeRules, type RuleIndex } from './echo.js';
import { indexPrompt, mergeIndexes, type PromptIndex, type SimilarityOptions } from './similarity.js';

const MAX_CHARS = 64 * 1024;

export interface PromptIndexes {
  /** The route's n-gram index merged with the request's (null when both are absent or too short). */
  readonly index: PromptIndex | null;
  /** The route's rule sentences merged with the request's, for the echo check. */
  readonly rules: RuleIndex | null;
}

export interface PromptIndexCache {
  /** The route's index merged with the index of `texts` (the request's system messages). */
  get(scope: string, texts: readonly string[]): PromptIndex | null;
  /** The same, with the merged rule index too (`echo`: the echo check is on; else `rules` is null). */
  both(scope: string, texts: readonly string[], echo: boolean): PromptIndexes;
}

interface Entry {
  readonly index: PromptIndex | null;
  /** Built the first time a request with the echo check asks for it. */
  rules: RuleIndex | null | undefined;
}

export function createPromptIndexCache(
  routePrompt: PromptIndex | null,
  opts: SimilarityOptions,
  maxChars = 1024 * 1024,
  routeRules: RuleIndex | null = null,
): PromptIndexCache {
  const build = (texts: readonly string[]): PromptIndex | null =>
    mergeIndexes([routePrompt, indexPrompt(texts, opts)]);
  const buildRules = (texts: readonly string[]): RuleIndex | null =>
    mergeRules([routeRules, texts.length > 0 ? indexRules(texts) : null]);
  const lru = new Map<string, Entry>();
  let held = 0;
  const entry = (scope: string, texts: readonly string[]): Entry | null => {
    let chars = 0;
    for (const t of texts) chars += t.length;
    if (chars > MAX_CHARS) return null;
    // Lengths in the key: ["a\u0000b"] and ["a", "b"] are different prompts.
    const key = `${scope}\u0000${texts.map((t) => t.length).join(',')}\u0000${texts.join('')}`;
    const hit = lru.get(key);
    if (hit !== undefined) {
      lru.delete(key);
      lru.set(key, hit);
      return hit;
    }
    const e: Entry = { index: build(texts), rules: undefined };
    lru.set(key, e);
    held += key.length;
    for (const k of lru.keys()) {
      if (held <= maxChars) break;
      lru.delete(k);
      held -= k.length;
    }
    return e;
  };
  return {
    get(scope, texts) {
      const e = entry(scope, texts);
      return e === null ? build(texts) : e.index;
    },
    both(scope, texts, echo) {
      const e = entry(scope, texts);
      if (e === null) return { index: build(texts), rules: echo ? buildRules(texts) : null };
      if (echo && e.rules === undefined) e.rules = buildRules(texts);
      return { index: e.index, rules: echo ? (e.rules ?? null) : null };
    },
  };
}
