/**
 * System-prompt leak by similarity: the answer repeats a long passage of the system prompt (a run of
 * consecutive shared word n-grams), or, over the whole answer, covers too much of it (a leak in
 * shuffled pieces). Prompts are indexed once: the route's at boot, the request's own system
 * messages once per distinct prompt and consumer (prompt-cache.ts).
 */
import { internalError } from '../../pipeline/require.js';
import { capMarkRuns } from '../normalise.js';
import { encodedViews } from './leak-decode.js';
import type { PreparedText } from './prepared.js';
import { finding, type OutputFinding, type TextDetector } from './types.js';

export interface PromptIndex {
  readonly n: number;
  /** Word -> small integer; n-grams are keyed by their words' ids. */
  readonly vocab: ReadonlyMap<string, number>;
  readonly grams: ReadonlySet<string>;
  /** Words of the indexed prompts (a short prompt leaks in a shorter run, see runThreshold). */
  readonly size: number;
  /** The vocabulary spelled backwards: an answer written in reverse is matched without reversing it. */
  readonly rvocab: ReadonlyMap<string, number>;
}

const backwards = (w: string): string => w.split('').reverse().join('');
const reversedVocab = (vocab: ReadonlyMap<string, number>): Map<string, number> =>
  new Map([...vocab].map(([w, id]) => [backwards(w), id]));

export interface SimilarityOptions {
  readonly ngram: number;
  readonly minSharedWords: number;
  readonly minPromptWords: number;
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

interface Words {
  readonly w: string[];
  readonly start: number[];
  readonly end: number[];
}

function wordStart(wd: { readonly start: readonly number[] }, i: number): number {
  const s = wd.start[i];
  if (s === undefined) throw internalError(`similarity: word ${i} out of range`);
  return s;
}

function wordEnd(wd: { readonly end: readonly number[] }, i: number): number {
  const e = wd.end[i];
  if (e === undefined) throw internalError(`similarity: word ${i} out of range`);
  return e;
}

function isWordChar(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 0x80) return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
  return WORD_CHAR.test(text.charAt(i));
}

/** Lower-cased words (letters and digits of any script) with their offsets. */
export function words(text: string): Words {
  const w: string[] = [];
  const start: number[] = [];
  const end: number[] = [];
  let i = 0;
  while (i < text.length) {
    if (!isWordChar(text, i)) {
      i++;
      continue;
    }
    const s = i;
    while (i < text.length && isWordChar(text, i)) i++;
    w.push(text.slice(s, i).toLowerCase());
    start.push(s);
    end.push(i);
  }
  return { w, start, end };
}

export function indexPrompt(texts: readonly string[], opts: SimilarityOptions): PromptIndex | null {
  const vocab = new Map<string, number>();
  const grams = new Set<string>();
  let total = 0;
  for (const t of texts) {
    const ids = words(capMarkRuns(t).normalize('NFKC')).w.map((w) => {
      let id = vocab.get(w);
      if (id === undefined) vocab.set(w, (id = vocab.size));
      return id;
    });
    total += ids.length;
    for (let i = 0; i + opts.ngram <= ids.length; i++) grams.add(ids.slice(i, i + opts.ngram).join(','));
  }
  if (total < opts.minPromptWords || grams.size === 0) return null;
  return { n: opts.ngram, vocab, grams, size: total, rvocab: reversedVocab(vocab) };
}

/** Merges several prompt indexes (route and request) into one. */
export function mergeIndexes(list: ReadonlyArray<PromptIndex | null>): PromptIndex | null {
  const present = list.filter((x): x is PromptIndex => x !== null);
  const first = present[0];
  if (first === undefined || present.length === 1) return first ?? null;
  // Re-key every index's n-grams on one shared vocabulary.
  const vocab = new Map<string, number>();
  const grams = new Set<string>();
  for (const p of present) {
    const byId = new Map<number, number>();
    for (const [w, id] of p.vocab) {
      let nid = vocab.get(w);
      if (nid === undefined) vocab.set(w, (nid = vocab.size));
      byId.set(id, nid);
    }
    for (const g of p.grams)
      grams.add(
        g
          .split(',')
          .map((x) => {
            // Every gram's word ids are in its own index's vocabulary, re-keyed just above.
            const nid = byId.get(Number(x));
            if (nid === undefined) throw internalError(`prompt index: word id ${x} not in its vocabulary`);
            return nid;
          })
          .join(','),
      );
  }
  return {
    n: first.n,
    vocab,
    grams,
    size: present.reduce((a, p) => a + p.size, 0),
    rvocab: reversedVocab(vocab),
  };
}

/**
 * Share of a short prompt's words that, quoted in one run, is a leak, and the shortest such run. A
 * one-sentence task prompt of 20 words never yields a 12-word run unless almost all of it is quoted;
 * 40 % of it (8 words at least) is already most of its one instruction. Prompts of 30 words or more
 * keep `minSharedWords`.
 */
const SHORT_SHARE = 0.4;
const SHORT_FLOOR = 8;

export function runThreshold(index: PromptIndex, opts: SimilarityOptions): number {
  return Math.min(
    opts.minSharedWords,
    Math.max(SHORT_FLOOR, index.n + 1, Math.ceil(index.size * SHORT_SHARE)),
  );
}

/** Decoded passages shorter than this many characters are not compared (a few words of base64 are noise). */
const MIN_ENCODED_CHARS = 24;
/** An open encoded run this long that decodes to none of the prompt's n-grams is not held back. */
const OPEN_ENCODED_CHARS = 96;

/** Whether each n-gram of a word-id sequence (by start) is one of the prompt's; -1 (unknown word) ends a window early. */
function matchIds(index: PromptIndex, ids: readonly number[]): boolean[] {
  const { n, grams } = index;
  const m: boolean[] = [];
  for (let i = 0; i + n <= ids.length; i++) {
    let known = true;
    for (let j = i; j < i + n; j++) if (ids[j] === -1) known = false;
    m.push(known && grams.has(ids.slice(i, i + n).join(',')));
  }
  return m;
}

function matchGrams(index: PromptIndex, w: readonly string[]): boolean[] {
  return matchIds(
    index,
    w.map((x) => index.vocab.get(x) ?? -1),
  );
}

/**
 * What one text holds, computed once for scan() and openFrom(): its words and their n-gram matches,
 * the same read backwards (the words' reversed spellings in reverse order, looked up in `rvocab`;
 * null when fewer than n words are known backwards, as in any ordinary answer), and the hex and base64
 * runs decoded with their words. All linear in the text; leak-decode.ts bounds what a view decodes.
 */
interface Analysis {
  readonly wd: Words;
  readonly m: boolean[];
  readonly back: boolean[] | null;
  readonly encoded: ReadonlyArray<{
    readonly start: number;
    readonly end: number;
    readonly wd: Words;
    readonly m: boolean[];
  }>;
}

function analyse(index: PromptIndex, text: string): Analysis {
  const wd = words(text);
  const m = matchGrams(index, wd.w);
  let known = 0;
  const rids = new Array<number>(wd.w.length);
  for (let i = 0; i < wd.w.length; i++) {
    const id = index.rvocab.get(wd.w[wd.w.length - 1 - i] ?? '') ?? -1;
    if (id >= 0) known++;
    rids[i] = id;
  }
  const back = known >= index.n ? matchIds(index, rids) : null;
  const encoded = encodedViews(text, MIN_ENCODED_CHARS).map((v) => {
    const vw = words(v.text);
    return { start: v.start, end: v.end, wd: vw, m: matchGrams(index, vw.w) };
  });
  return { wd, m, back, encoded };
}

export function createSimilarityDetector(index: PromptIndex, opts: SimilarityOptions): TextDetector {
  const n = index.n;
  // scan() and openFrom() run on the same text one after the other: analyse it once.
  let lastText: string | null = null;
  let last: Analysis | null = null;
  const analysisOf = (text: string): Analysis => {
    if (text !== lastText || last === null) {
      last = analyse(index, text);
      lastText = text;
    }
    return last;
  };
  const min = runThreshold(index, opts);
  /** Runs of at least `least` shared words, as [first word, last word, words shared]. */
  const runs = (m: readonly boolean[], least: number): Array<[number, number, number]> => {
    const out: Array<[number, number, number]> = [];
    for (let i = 0; i < m.length; i++) {
      if (!m[i]) continue;
      let j = i;
      while (j + 1 < m.length && m[j + 1]) j++;
      const shared = j - i + n;
      if (shared >= least) out.push([i, j + n - 1, shared]);
      i = j;
    }
    return out;
  };
  // Prompt words written backwards or encoded are no accident: a shorter run is enough there.
  const hiddenMin = Math.min(min, SHORT_FLOOR);
  const scoreOf = (shared: number): number => Math.min(1, shared / (2 * min) + 0.5);
  const passage = (shared: number, start: number, end: number): OutputFinding =>
    finding('similarity', 'SYSTEM_PROMPT_PASSAGE', scoreOf(shared), start, end);
  const scan = ({ raw }: PreparedText): OutputFinding[] => {
    const { wd, m, back, encoded } = analysisOf(raw);
    const out = runs(m, min).map(([a, b, shared]) => passage(shared, wordStart(wd, a), wordEnd(wd, b)));
    // Backwards: word k of the reversed sequence is word L-1-k of the text.
    const last = wd.w.length - 1;
    if (back !== null)
      for (const [a, b, shared] of runs(back, hiddenMin))
        out.push(passage(shared, wordStart(wd, last - b), wordEnd(wd, last - a)));
    // In hex or base64: the finding covers the encoded text.
    for (const v of encoded) {
      const r = runs(v.m, hiddenMin)[0];
      if (r !== undefined) out.push(passage(r[2], v.start, v.end));
    }
    return out;
  };
  const openFrom = (text: string): number => {
    const { wd, m, back, encoded } = analysisOf(text);
    let from = text.length;
    // A run whose last n-gram reaches the final words may still grow past the threshold.
    let j = m.length - 1;
    while (j >= 0 && !m[j]) j--;
    if (j >= 0 && j + n - 1 >= wd.w.length - n) {
      let i = j;
      while (i > 0 && m[i - 1]) i--;
      from = wordStart(wd, i);
    }
    // Backwards, the newest words come first: a run from the reversed start may still grow.
    if (back !== null && back[0] === true) {
      let k = 0;
      while (k + 1 < back.length && back[k + 1]) k++;
      from = Math.min(from, wordStart(wd, wd.w.length - 1 - (k + n - 1)));
    }
    // An encoded run that reaches the end may still be growing: held while it is short or already
    // decodes to some of the prompt's words. Base64 of anything else (a data URI, a file) flows on
    // instead of filling the hold-back buffer (and, with `onOverflow: block`, ending the stream).
    for (const v of encoded)
      if (v.end >= text.length && (v.end - v.start < OPEN_ENCODED_CHARS || v.m.includes(true)))
        from = Math.min(from, v.start);
    return from;
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
    const { n } = this.index;
    // A word cut at the end of this piece continues in the next one.
    const all = this.pendingWord + text;
    const wd = words(all);
    let list = wd.w;
    this.pendingWord = '';
    if (!final && list.length > 0 && wd.end[list.length - 1] === all.length) {
      this.pendingWord = all.slice(wordStart(wd, list.length - 1));
      list = list.slice(0, -1);
    }
    const seq = [...this.carry, ...list];
    const m = matchGrams(this.index, seq);
    for (let i = 0; i < m.length; i++) if (m[i]) this.seen.add(seq.slice(i, i + n).join(' '));
    this.carry = seq.slice(Math.max(0, seq.length - (n - 1)));
    return this.coverage();
  }

  coverage(): number {
    return this.seen.size / this.index.grams.size;
  }
}
