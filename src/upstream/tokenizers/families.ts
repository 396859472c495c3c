import type { TokenCounter } from '../../formats/token-counter.js';

/*
 * Tokenizers of the model families that are not OpenAI's, chosen per deployment (`route.tokenizer`),
 * so an input cap is counted with the vocabulary of the model that serves it. They reuse the
 * chunked, early-stopping counter of src/upstream/tokenizer.ts, whose cost and bound arguments hold
 * for them too:
 *
 * - `llama3`: Llama 3's 128k BPE vocabulary (llama3-tokenizer-js ships it). Its split regex is
 *   cl100k's, so chunks cut at safe boundaries count exactly as the whole text. Its longest token
 *   is 128 bytes (128 spaces; test/unit/upstream/family-tokenizers.test.ts checks), so the linear
 *   lower bound stands.
 * - `mistral`: Mistral 7B / Mixtral's 32k SentencePiece vocabulary (mistral-tokenizer-js). Spaces
 *   become `▁` attached to the following word and no piece holds a `▁` after a non-`▁`, so a chunk
 *   cut at a safe boundary (a space before a letter) counts as the same text with the dummy prefix
 *   `▁` standing for that space: exact. A hard cut (no space) gets a dummy prefix it did not have,
 *   which can only add a token: the count errs high, never low.
 * - `anthropic_estimate`: Anthropic publishes no tokenizer for its current models (only a counting
 *   endpoint, a network call per request). The estimate is cl100k_base's count times
 *   `ANTHROPIC_MARGIN`, rounded up: Claude 3 tokenizes English prose to about 1.1-1.2x cl100k's
 *   count and code and non-Latin text higher, so 1.35 keeps a cap conservative (the gateway refuses
 *   early rather than letting a request through that the model counts above the cap). The limiter
 *   then settles on the provider's reported usage, which is exact.
 */

/** Multiplier over cl100k_base for the Anthropic estimate (docs/providers.md, "Token counting"). */
export const ANTHROPIC_MARGIN = 1.35;

export type FamilyTokenizer = 'llama3' | 'mistral' | 'anthropic_estimate';

export interface Encoder {
  countTokens(text: string): number;
}

async function llama3(): Promise<Encoder> {
  const { default: tok } = await import('llama3-tokenizer-js');
  const opts = { bos: false, eos: false };
  return { countTokens: (t) => tok.encode(t, opts).length };
}

async function mistral(): Promise<Encoder> {
  const { default: tok } = await import('mistral-tokenizer-js');
  return {
    // A chunk after a safe boundary starts with its space: the dummy prefix stands for it.
    countTokens: (t) =>
      (t.startsWith(' ') ? tok.encode(t.slice(1), false, true) : tok.encode(t, false, true)).length,
  };
}

/** Scales an exact counter by `margin`; `within(cap)` stops once the scaled total passes `cap`. */
export function scaledCounter(base: TokenCounter, margin: number): TokenCounter {
  const count = ((text: string) => Math.ceil(base(text) * margin)) as TokenCounter;
  count.within = (cap: number) => {
    const inner = base.within(Math.floor(cap / margin));
    return (text: string) => Math.ceil(inner(text) * margin);
  };
  return count;
}

const cache = new Map<FamilyTokenizer, Promise<TokenCounter>>();

export function isFamilyTokenizer(name: string): name is FamilyTokenizer {
  return name === 'llama3' || name === 'mistral' || name === 'anthropic_estimate';
}

/** Loads a family's vocabulary once (megabytes), only when a route names it. */
export function loadFamilyCounter(
  name: FamilyTokenizer,
  /** The OpenAI encodings' loader and the chunking wrapper (passed in: this folder sits below src/upstream). */
  deps: {
    openai: (n: 'cl100k_base') => Promise<TokenCounter>;
    wrap: (e: Encoder) => TokenCounter;
  },
): Promise<TokenCounter> {
  let c = cache.get(name);
  if (c === undefined) {
    c =
      name === 'anthropic_estimate'
        ? deps.openai('cl100k_base').then((b) => scaledCounter(b, ANTHROPIC_MARGIN))
        : (name === 'llama3' ? llama3() : mistral()).then(deps.wrap);
    cache.set(name, c);
  }
  return c;
}
