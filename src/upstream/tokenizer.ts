/**
 * Token counting whose cost is linear in the text, whatever its shape.
 *
 * gpt-tokenizer splits a text into pre-tokens with its encoding's regex, then runs byte-pair merging
 * on each pre-token. The merge loop rescans the whole pre-token after every merge, so its cost is
 * quadratic in the pre-token's length: an unbroken run of 160,000 `x` (one pre-token) took ~10 s, a
 * 900 KB one minutes (issue 10, finding 1). Two defences, both here so that every caller is safe:
 *
 * 1. Chunking. The text is handed to the tokenizer in chunks of at most `MAX_CHUNK` UTF-16 units,
 *    so no pre-token is ever longer than that and the merge work is at most `MAX_CHUNK` per character.
 *    A chunk ends at a *safe* boundary when there is one: a plain space that follows a non-space and
 *    precedes an ASCII letter. In all four encodings' split regexes no pre-token can cross such a
 *    point (letters, digits and punctuation pieces never take a following space; a whitespace piece
 *    cannot start before a non-space) and every piece to its right is matched the same way with or
 *    without the left part, so counting the chunks separately gives exactly the same total as
 *    counting the whole text. Only a stretch of `MAX_CHUNK` characters without a safe boundary (a run
 *    of one character, CJK text, digits, base64, minified code) is cut at a fixed length, a "hard
 *    cut"; each hard cut can change the count by a token or two around the cut: measured over
 *    fuzzed adversarial texts within [-1, +2] tokens per hard cut for o200k_base and cl100k_base and
 *    [-1, +3] for r50k_base (test/unit/core/bounded-work.test.ts checks o200k_base), and there is at
 *    most one hard cut per `MAX_CHUNK` units. So the count never under-counts by more than
 *    `length / 128` tokens, i.e. under 1% of a run of `x` (8 per token). Ordinary prose never has a
 *    hard cut, so its count is exact.
 * 2. A linear lower bound and an early stop. No token of these vocabularies is longer than
 *    `MAX_TOKEN_BYTES` bytes (a test checks every vocabulary), so a text of `b` UTF-8 bytes has at least
 *    `ceil(b / MAX_TOKEN_BYTES)` tokens, however it is chunked. `within(cap)` gives a per-request
 *    counter that refuses to count exactly once the total is known to pass `cap`: before counting a
 *    text it adds the lower bound, and while counting it stops at the first chunk that passes `cap`.
 *    The work for a request over the cap is then the counting of at most `cap` tokens plus one linear
 *    scan, not the counting of everything the body cap lets through.
 *
 * `MAX_CHUNK` = 128: the merge loop's cost per chunk grows with the chunk's square, so shorter is
 * cheaper per character (and 128 is where hard-cut runs of one character still take their longest
 * tokens: `x` merges 8 at a time, spaces up to 128); shorter would add more hard cuts to CJK text.
 */
import type { TokenizerName } from '../config/schema/route.js';
import type { TokenCounter } from '../formats/token-counter.js';
import { isFamilyTokenizer, loadFamilyCounter } from './tokenizers/families.js';

// Re-exported: callers that load a counter name its type from here too.
export type { TokenCounter };

type EncodingModule = {
  countTokens: (text: string, opts?: { disallowedSpecial?: Set<string> }) => number;
};

/** Longest token of the four vocabularies, in UTF-8 bytes (128 spaces in o200k_base and cl100k_base). */
export const MAX_TOKEN_BYTES = 128;
/** Longest text, in UTF-16 units, ever handed to the byte-pair tokenizer in one call. */
export const MAX_CHUNK = 128;

const LOADERS: Record<
  Exclude<TokenizerName, 'llama3' | 'mistral' | 'anthropic_estimate'>,
  () => Promise<EncodingModule>
> = {
  o200k_base: () => import('gpt-tokenizer/encoding/o200k_base'),
  cl100k_base: () => import('gpt-tokenizer/encoding/cl100k_base'),
  p50k_base: () => import('gpt-tokenizer/encoding/p50k_base'),
  r50k_base: () => import('gpt-tokenizer/encoding/r50k_base'),
};

// Special-token strings in consumer text are counted as text: by default the tokenizer throws on
// them, which would turn "<|endoftext|>" in a prompt into a 500.
const AS_TEXT = { disallowedSpecial: new Set<string>() };
const cache = new Map<TokenizerName, TokenCounter>();

/** The provable lower bound: `ceil(utf8 bytes / MAX_TOKEN_BYTES)`, one native linear pass. */
export function tokenLowerBound(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / MAX_TOKEN_BYTES);
}

const isAsciiLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isSpaceLike = (c: number): boolean => c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c > 0x7f;

/** A plain space after a non-space and before an ASCII letter: no pre-token crosses it (header). */
export function isSafeBoundary(text: string, i: number): boolean {
  return (
    text.charCodeAt(i) === 32 && !isSpaceLike(text.charCodeAt(i - 1)) && isAsciiLetter(text.charCodeAt(i + 1))
  );
}

/**
 * The end of the chunk that starts at `start`: the whole rest if it fits, else the last safe boundary
 * within `MAX_CHUNK`, else a hard cut at `MAX_CHUNK` (moved back one unit so a surrogate pair stays whole).
 * `isSpaceLike` treats every non-ASCII unit as a possible space: it only ever forgoes a safe boundary.
 */
export function chunkEnd(text: string, start: number): number {
  const limit = start + MAX_CHUNK;
  if (limit >= text.length) return text.length;
  for (let i = limit; i > start + 1; i--) if (isSafeBoundary(text, i)) return i;
  const c = text.charCodeAt(limit - 1);
  return c >= 0xd800 && c <= 0xdbff ? limit - 1 : limit;
}

const SEEN_CHUNKS = 16;

/**
 * Counts `text` chunk by chunk; stops (returning what it has plus the lower bound of the rest) as soon
 * as the count passes `stopAbove`. `exact` sees each chunk, never more than `MAX_CHUNK` units.
 */
function countChunks(exact: (chunk: string) => number, text: string, stopAbove: number): number {
  let n = 0;
  let start = 0;
  // A run of one character (or of a short period) is cut into identical chunks: the last few are
  // remembered so each distinct one goes through the split regex and the merge loop only once.
  const seen = new Map<string, number>();
  while (start < text.length) {
    const end = chunkEnd(text, start);
    const chunk = start === 0 && end === text.length ? text : text.slice(start, end);
    let c = seen.get(chunk);
    if (c === undefined) {
      c = exact(chunk);
      if (seen.size >= SEEN_CHUNKS) seen.clear();
      seen.set(chunk, c);
    }
    n += c;
    start = end;
    if (n > stopAbove && start < text.length) return n + tokenLowerBound(text.slice(start));
  }
  return n;
}

/** Wraps an encoding's exact counter into a `TokenCounter` (exported for the bounded-work tests). */
export function createTokenCounter(mod: EncodingModule): TokenCounter {
  const exact = (chunk: string): number => mod.countTokens(chunk, AS_TEXT);
  const count = ((text: string) => countChunks(exact, text, Number.POSITIVE_INFINITY)) as TokenCounter;
  count.within = (cap: number) => {
    let total = 0;
    return (text: string) => {
      if (text.length === 0) return 0;
      let n: number;
      // The pre-check: one linear scan, and no exact counting once the total is known to pass the cap.
      const floor = tokenLowerBound(text);
      if (total + floor > cap) n = floor;
      else n = countChunks(exact, text, cap - total);
      total += n;
      return n;
    };
  };
  return count;
}

/** Loads each encoding once at boot (they are megabytes of tables), only those routes use. */
export async function loadTokenCounter(name: TokenizerName): Promise<TokenCounter> {
  // Llama 3, Mistral and the Anthropic estimate: src/upstream/tokenizers/families.ts.
  if (isFamilyTokenizer(name))
    return loadFamilyCounter(name, { openai: loadTokenCounter, wrap: createTokenCounter });
  let c = cache.get(name);
  if (!c) {
    c = createTokenCounter(await LOADERS[name]());
    cache.set(name, c);
  }
  return c;
}
