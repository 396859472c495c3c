/**
 * Harmful intent (content policy): does the text ask for something in a harm category, whatever
 * wrapper it comes in? Distinct from the injection wrapper (role-play, override, suffix): a
 * role-play without a harmful request scores nothing here, and a plain harmful request scores
 * without any jailbreak wording. Categories (HARM_CATEGORIES) let a route refuse e.g. `weapons`
 * through its content policy (`policy.harmCategories`), and the score is one input of the
 * injection detector's combiner.
 *
 * One pass over the words of the folded text; phrases of up to five words are looked up only
 * where their first word occurs. No regular expression, so nothing can backtrack.
 */
import type { HarmCategory } from '../../formats/guard-names.js';
import {
  BENIGN_OBJECT_VERBS,
  BENIGN_OBJECTS,
  EVASION_CUES,
  HARM_TERMS,
  REQUEST_CUES,
} from './harm-lexicon.js';

type Entry = { readonly category: HarmCategory } | { readonly cue: 'request' | 'evasion' };

export interface HarmSignals {
  /**
   * Score per category that occurs: 0.4 a term, 0.7 a term a request cue asks for, 0.9 that plus an
   * evasion cue (0.6 evasion without a request).
   */
  readonly categories: ReadonlyMap<HarmCategory, number>;
  /** Largest category score, 0 when none. */
  readonly max: number;
  /** Distinct harm terms seen (capped by the text's words). */
  readonly terms: number;
  /**
   * Distinct harm terms a request cue asks for. Unlike `terms` it does not grow with the length of a
   * passage: a story or a news text names violence and crime without asking for any of it.
   */
  readonly asked: number;
  /** Words scanned. */
  readonly words: number;
  readonly request: boolean;
  readonly evasion: boolean;
}

const MAX_PHRASE = 5;
/** Words a request cue may precede its harm term by. */
const CUE_REACH = 10;
/** Words scanned: the head and the tail of long texts. */
const MAX_WORDS = 2_000;

export interface HarmLexicon {
  readonly phrases: ReadonlyMap<string, readonly Entry[]>;
  readonly benignObjectVerbs: ReadonlySet<string>;
  readonly benignObjects: ReadonlySet<string>;
  /** First words of phrases of two or more words. */
  readonly starts: ReadonlySet<string>;
  /**
   * Every word of the lexicon (phrases, benign verbs and objects) by wordHash: a word of the text
   * outside it can match nothing, so the scan reads it in place instead of slicing it out.
   */
  readonly vocab: ReadonlyMap<number, readonly string[]>;
}

const wordHash = (h: number, c: number): number => (Math.imul(h, 31) + c) | 0;
/**
 * Stands for every word of the text that is not in the lexicon: it is no phrase, no phrase word,
 * no benign verb or object and does not end in "s", so every lookup of it fails as the word's own
 * would have.
 */
const OTHER_WORD = '\u0000';

export function compileHarmLexicon(): HarmLexicon {
  const phrases = new Map<string, Entry[]>();
  const starts = new Set<string>();
  const add = (p: string, e: Entry): void => {
    const words = p.split(' ');
    if (words.length > MAX_PHRASE) throw new Error(`harm lexicon: phrase too long: ${p}`);
    const list = phrases.get(p) ?? [];
    list.push(e);
    phrases.set(p, list);
    if (words.length > 1) starts.add(words[0] ?? '');
  };
  for (const [category, terms] of Object.entries(HARM_TERMS) as Array<[HarmCategory, readonly string[]]>)
    for (const t of terms) add(t, { category });
  for (const t of REQUEST_CUES) add(t, { cue: 'request' });
  for (const t of EVASION_CUES) add(t, { cue: 'evasion' });
  const vocab = new Map<number, string[]>();
  const words = new Set([
    ...[...phrases.keys()].flatMap((p) => p.split(' ')),
    ...BENIGN_OBJECT_VERBS,
    ...BENIGN_OBJECTS,
  ]);
  for (const w of words) {
    if (w.includes(OTHER_WORD)) throw new Error('harm lexicon: NUL in a word');
    let h = 0;
    for (let k = 0; k < w.length; k++) h = wordHash(h, w.charCodeAt(k));
    vocab.set(h, [...(vocab.get(h) ?? []), w]);
  }
  return {
    phrases,
    starts,
    vocab,
    benignObjectVerbs: new Set(BENIGN_OBJECT_VERBS),
    benignObjects: new Set(BENIGN_OBJECTS),
  };
}

const isWord = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c >= 0xc0;

/** The lexicon's copy of folded[i..j) when the lexicon holds that word, else null. */
function known(lex: HarmLexicon, folded: string, i: number, j: number, h: number): string | null {
  for (const w of lex.vocab.get(h) ?? NONE) if (w.length === j - i && folded.startsWith(w, i)) return w;
  return null;
}
const NONE: readonly string[] = [];

/**
 * Words of the folded text (letters and digits; "self-harm" is "self harm"). A word the lexicon
 * does not hold, nor holds without a final "s", is OTHER_WORD: hashed as it is read, never sliced.
 */
function words(lex: HarmLexicon, folded: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = folded.length;
  while (i < n && out.length < MAX_WORDS) {
    const c = folded.charCodeAt(i);
    if (!isWord(c)) {
      i++;
      continue;
    }
    let h = wordHash(0, c);
    let before = 0;
    let j = i + 1;
    for (let d = folded.charCodeAt(j); j < n && isWord(d); d = folded.charCodeAt(++j)) {
      before = h;
      h = wordHash(h, d);
    }
    let w = known(lex, folded, i, j, h);
    // "bombs": the plural of a listed word is looked up without its "s" (harmSignals).
    if (
      w === null &&
      j - i > 3 &&
      folded.charCodeAt(j - 1) === 115 &&
      known(lex, folded, i, j - 1, before) !== null
    )
      w = folded.slice(i, j);
    out.push(w ?? OTHER_WORD);
    i = j;
  }
  return out;
}

/** One of the next four words is an ordinary object ("kill a hung python process"). */
function benignObjectFollows(lex: HarmLexicon, w: readonly string[], i: number): boolean {
  for (let k = i + 1; k <= i + 4 && k < w.length; k++) if (lex.benignObjects.has(w[k] ?? '')) return true;
  return false;
}

export function harmSignals(lex: HarmLexicon, folded: string): HarmSignals {
  const w = words(
    lex,
    folded.length > 24_000 ? `${folded.slice(0, 12_000)} ${folded.slice(-12_000)}` : folded,
  );
  const seen = new Set<string>();
  const askedTerms = new Set<string>();
  const cats = new Map<HarmCategory, boolean>();
  let request = false;
  let evasion = false;
  // Word index of the last request cue: a term is asked for when a cue precedes it closely
  // ("how do I make a pipe bomb"), not when a passage mentions it and a question follows later.
  let lastCue = Number.NEGATIVE_INFINITY;
  let at = 0;
  const visit = (p: string): void => {
    const entries = lex.phrases.get(p);
    if (entries === undefined) return;
    for (const e of entries) {
      if ('category' in e) {
        const asked = at - lastCue <= CUE_REACH;
        cats.set(e.category, (cats.get(e.category) ?? false) || asked);
        if (asked) {
          request = true;
          askedTerms.add(p);
        }
        seen.add(p);
      } else if (e.cue === 'request') lastCue = at;
      else evasion = true;
    }
  };
  for (let i = 0; i < w.length; i++) {
    at = i;
    const first = w[i] ?? '';
    // "kill a process", "shoot a video", "execute the job": violent verbs on technical or ordinary
    // objects are not violence.
    if (lex.benignObjectVerbs.has(first) && benignObjectFollows(lex, w, i)) continue;
    visit(first);
    // A plural or third-person "s" on a listed word ("bombs", "hacks") is the same term.
    if (first.length > 3 && first.endsWith('s')) visit(first.slice(0, -1));
    if (!lex.starts.has(first)) continue;
    let p = first;
    for (let k = 1; k < MAX_PHRASE && i + k < w.length; k++) {
      p = `${p} ${w[i + k] ?? ''}`;
      visit(p);
    }
  }
  const categories = new Map<HarmCategory, number>();
  let max = 0;
  for (const [c, asked] of cats) {
    const score = asked ? (evasion ? 0.9 : 0.7) : evasion ? 0.6 : 0.4;
    categories.set(c, score);
    max = Math.max(max, score);
  }
  return { categories, max, terms: seen.size, asked: askedTerms.size, words: w.length, request, evasion };
}
