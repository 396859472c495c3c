/**
 * System-prompt leak by similarity: the answer repeats a long passage of the system prompt (a run of
 * consecutive shared word n-grams), or, over the whole answer, covers too much of it (a leak in
 * shuffled pieces). Prompts are indexed once: the route's at boot, the request's own system
 * messages once per request.
 */
import type { PreparedText } from './prepared.js';
import { finding, type OutputFinding, type TextDetector } from './types.js';

export interface PromptIndex {
  readonly n: number;
  readonly grams: ReadonlySet<string>;
}

export interface SimilarityOptions {
  readonly ngram: number;
  readonly minSharedWords: number;
  readonly minPromptWords: number;
}

const WORD = /[\p{L}\p{N}]+/gu;

interface Words {
  readonly w: string[];
  readonly start: number[];
  readonly end: number[];
}

export function words(text: string): Words {
  const w: string[] = [];
  const start: number[] = [];
  const end: number[] = [];
  for (const m of text.matchAll(WORD)) {
    w.push(m[0].toLowerCase());
    start.push(m.index);
    end.push(m.index + m[0].length);
  }
  return { w, start, end };
}

export function indexPrompt(texts: readonly string[], opts: SimilarityOptions): PromptIndex | null {
  const grams = new Set<string>();
  let total = 0;
  for (const t of texts) {
    const { w } = words(t.normalize('NFKC'));
    total += w.length;
    for (let i = 0; i + opts.ngram <= w.length; i++) grams.add(w.slice(i, i + opts.ngram).join(' '));
  }
  if (total < opts.minPromptWords || grams.size === 0) return null;
  return { n: opts.ngram, grams };
}

/** Merges several prompt indexes (route and request) into one. */
export function mergeIndexes(list: ReadonlyArray<PromptIndex | null>): PromptIndex | null {
  const present = list.filter((x): x is PromptIndex => x !== null);
  if (present.length <= 1) return present[0] ?? null;
  const grams = new Set<string>();
  for (const p of present) for (const g of p.grams) grams.add(g);
  return { n: present[0]!.n, grams };
}

export function createSimilarityDetector(index: PromptIndex, opts: SimilarityOptions): TextDetector {
  const n = index.n;
  const matched = (wd: Words): boolean[] => {
    const m: boolean[] = [];
    for (let i = 0; i + n <= wd.w.length; i++) m.push(index.grams.has(wd.w.slice(i, i + n).join(' ')));
    return m;
  };
  const scan = ({ raw }: PreparedText): OutputFinding[] => {
    const wd = words(raw);
    const m = matched(wd);
    const out: OutputFinding[] = [];
    for (let i = 0; i < m.length; i++) {
      if (!m[i]) continue;
      let j = i;
      while (j + 1 < m.length && m[j + 1]) j++;
      const shared = j - i + n;
      if (shared >= opts.minSharedWords)
        out.push(
          finding(
            'similarity',
            'SYSTEM_PROMPT_PASSAGE',
            Math.min(1, shared / (2 * opts.minSharedWords) + 0.5),
            wd.start[i]!,
            wd.end[j + n - 1]!,
          ),
        );
      i = j;
    }
    return out;
  };
  const openFrom = (text: string): number => {
    const wd = words(text);
    const m = matched(wd);
    // A run whose last n-gram reaches the final words may still grow past the threshold.
    let j = m.length - 1;
    while (j >= 0 && !m[j]) j--;
    if (j < 0 || j + n - 1 < wd.w.length - n) return text.length;
    let i = j;
    while (i > 0 && m[i - 1]) i--;
    return wd.start[i]!;
  };
  return { name: 'similarity', scan, openFrom };
}

/**
 * Coverage of the prompt by one whole answer, fed in order as text is released (the last n-1 words
 * carry over, so the result does not depend on where the stream was cut).
 */
export class CoverageMeter {
  private readonly seen = new Set<string>();
  private carry: string[] = [];
  private pendingWord = '';
  constructor(private readonly index: PromptIndex) {}

  feed(text: string, final = false): number {
    const { n, grams } = this.index;
    // A word cut at the end of this piece continues in the next one.
    const all = this.pendingWord + text;
    const wd = words(all);
    let list = wd.w;
    this.pendingWord = '';
    if (!final && list.length > 0 && wd.end[list.length - 1] === all.length) {
      this.pendingWord = all.slice(wd.start[list.length - 1]!);
      list = list.slice(0, -1);
    }
    const seq = [...this.carry, ...list];
    for (let i = 0; i + n <= seq.length; i++) {
      const g = seq.slice(i, i + n).join(' ');
      if (grams.has(g)) this.seen.add(g);
    }
    this.carry = seq.slice(Math.max(0, seq.length - (n - 1)));
    return this.coverage();
  }

  coverage(): number {
    return this.seen.size / this.index.grams.size;
  }
}
