/**
 * From a text to the model's input rows: a HuggingFace `tokenizer.json` (WordPiece, BPE or Unigram,
 * through @huggingface/tokenizers, pure JavaScript) and a window plan. A sequence classifier reads at
 * most `maxTokens` tokens (Prompt Guard 2 and DeBERTa-v3: 512), and a payload appended to a long
 * benign text must not fall off the end, so the content tokens are cut into windows of that size,
 * each with the model's own special tokens around it: all of them when they fit in `maxWindows`,
 * otherwise the first `maxWindows − 1` and the last one. The windows are one batch; the text's score
 * is the highest window's.
 */
import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';

export interface Rows {
  /** Row-major [rows, cols], padded with the pad id; `mask` is 1 on real tokens. */
  readonly ids: BigInt64Array;
  readonly mask: BigInt64Array;
  readonly rows: number;
  readonly cols: number;
  /** Content tokens of the text (before windowing). */
  readonly tokens: number;
}

export interface RowEncoder {
  encode(text: string): Rows;
}

export interface WindowPlan {
  readonly maxTokens: number;
  readonly maxWindows: number;
}

/** The ids the post-processor puts before and after one sequence ([CLS] … [SEP], <s> … </s>, or none). */
function specialsOf(tok: Tokenizer): { prefix: number[]; suffix: number[] } {
  const probe = 'hello';
  const bare: number[] = tok.encode(probe, { add_special_tokens: false }).ids;
  const full: number[] = tok.encode(probe, { add_special_tokens: true }).ids;
  for (let at = 0; at + bare.length <= full.length; at++) {
    if (bare.every((id, i) => full[at + i] === id))
      return { prefix: full.slice(0, at), suffix: full.slice(at + bare.length) };
  }
  throw new Error('tokenizer: the post-processor does not keep the text as one run; unsupported');
}

function padIdOf(json: Record<string, unknown>, tok: Tokenizer): number {
  const padding = json.padding as { pad_id?: unknown } | null | undefined;
  if (typeof padding?.pad_id === 'number') return padding.pad_id;
  for (const t of ['[PAD]', '<pad>', '<|pad|>']) {
    const id = tok.token_to_id(t);
    if (id !== undefined) return id;
  }
  return 0;
}

/** Content windows of at most `size` tokens, per the plan (see the file header). */
export function planWindows(ids: readonly number[], size: number, maxWindows: number): number[][] {
  const out: number[][] = [];
  if (ids.length <= size * maxWindows) {
    for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  } else {
    for (let w = 0; w < maxWindows - 1; w++) out.push(ids.slice(w * size, (w + 1) * size));
    out.push(ids.slice(ids.length - size));
  }
  if (out.length === 0) out.push([]);
  return out;
}

/** Loads `tokenizer.json` (and `tokenizer_config.json` beside it when there is one); throws on anything unusable. */
export function loadRowEncoder(path: string, plan: WindowPlan): RowEncoder {
  const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  if (json === null || typeof json !== 'object' || typeof json.model !== 'object')
    throw new Error('tokenizer: not a tokenizer.json (no "model")');
  let config: Record<string, unknown> = {};
  try {
    config = JSON.parse(readFileSync(path.replace(/tokenizer\.json$/, 'tokenizer_config.json'), 'utf8'));
  } catch {
    // Optional: most tokenizer.json files carry everything encoding needs.
  }
  const tok = new Tokenizer(json, config);
  const { prefix, suffix } = specialsOf(tok);
  const pad = BigInt(padIdOf(json, tok));
  const size = plan.maxTokens - prefix.length - suffix.length;
  if (size < 1) throw new Error(`maxTokens ${plan.maxTokens} leaves no room between the special tokens`);
  return {
    encode(text) {
      const content = tok.encode(text, { add_special_tokens: false }).ids;
      const windows = planWindows(content, size, plan.maxWindows).map((w) => [...prefix, ...w, ...suffix]);
      const cols = Math.max(...windows.map((w) => w.length));
      const ids = new BigInt64Array(windows.length * cols).fill(pad);
      const mask = new BigInt64Array(windows.length * cols);
      windows.forEach((w, r) => {
        w.forEach((id, c) => {
          ids[r * cols + c] = BigInt(id);
          mask[r * cols + c] = 1n;
        });
      });
      return { ids, mask, rows: windows.length, cols, tokens: content.length };
    },
  };
}
