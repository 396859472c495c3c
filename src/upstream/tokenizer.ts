import type { TokenizerName } from '../config/schema/route.js';

type Counter = (text: string) => number;
type EncodingModule = { countTokens: (text: string, opts?: { disallowedSpecial?: Set<string> }) => number };

const LOADERS: Record<TokenizerName, () => Promise<EncodingModule>> = {
  o200k_base: () => import('gpt-tokenizer/encoding/o200k_base'),
  cl100k_base: () => import('gpt-tokenizer/encoding/cl100k_base'),
  p50k_base: () => import('gpt-tokenizer/encoding/p50k_base'),
  r50k_base: () => import('gpt-tokenizer/encoding/r50k_base'),
};

// Special-token strings in consumer text are counted as text: by default the tokenizer throws on
// them, which would turn "<|endoftext|>" in a prompt into a 500.
const AS_TEXT = { disallowedSpecial: new Set<string>() };
const cache = new Map<TokenizerName, Counter>();

/** Loads each encoding once at boot (they are megabytes of tables), only those routes use. */
export async function loadTokenCounter(name: TokenizerName): Promise<Counter> {
  let c = cache.get(name);
  if (!c) {
    const mod = await LOADERS[name]();
    c = (text: string) => (text.length === 0 ? 0 : mod.countTokens(text, AS_TEXT));
    cache.set(name, c);
  }
  return c;
}
