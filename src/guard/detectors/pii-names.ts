/**
 * Person names, in one linear pass over the capitalised words: a full NLP parser costs milliseconds
 * per prompt, too slow for every request. The signals are a lexicon of given names and surnames in
 * many languages, capitalisation and position, and context cues (pii-names-cues.ts).
 *
 * The lexicon ships as word lists in data/lexicon/ (sources and licences in data/lexicon/README.md):
 * - `first-names.txt`, `last-names.txt`, `places.txt`: English-centred lists from compromise (MIT);
 * - `first-names-world.txt`, `last-names-world.txt`: given names and surnames of 45 locales from
 *   @faker-js/faker (MIT), less common English words (scripts/lexicon-from-faker.mjs);
 * - `first-names-curated.txt`, `ambiguous-names.txt`, `companies.txt`: hand-curated.
 *
 * How much a word needs besides being in a list grows with how often it is something else:
 * - an English-list given name is a person alone ("Ingrid called");
 * - a world-list given name is a person mid-sentence, with a surname after it, with a cue, as the
 *   subject of a verb, or when it is written with letters beyond ASCII ("Małgorzata"); at the start
 *   of a sentence without any of these it is not ("Sole ownership ...", "Dante's Inferno" aside);
 * - an ambiguous word (a month, a place, a brand, "Victoria") needs a cue or a known surname after it;
 * - a surname needs a given name, a cue or an adjacent capitalised word;
 * - lower-case words are a person only after a cue ("my name is anna").
 * A name-shaped span that ends in or is followed by a legal form or an organisation word ("Garcia
 * LLC", "Ben Azouz Country Club"), that is a firm ("Smith, Jones and Brown", "Procter & Gamble"), or a
 * known company ("Wells Fargo") is not a person.
 */
import { readFileSync } from 'node:fs';
import { matchAll } from '../match-all.js';
import type { Span } from '../types.js';
import {
  FIRM_AFTER,
  HONORIFIC,
  LEGAL_FORM_AFTER,
  LEGAL_FORMS,
  LOWER_NAME_CUE,
  ORG_WORDS,
  PARTICLE_BEFORE,
  PLACE_BEFORE,
  SENTENCE_START_AMBIGUOUS,
  SIGN_OFF,
  STOP_CAPS,
  STRONG_CUE,
  SUBJECT_VERB,
  WEAK_CUE,
} from './pii-names-cues.js';

export interface NameLexicon {
  /** Given names that are a person alone when capitalised (English lists and the curated list). */
  readonly first: ReadonlySet<string>;
  /** Given names from other languages' lists: a person with position, a surname or a cue. */
  readonly firstWorld: ReadonlySet<string>;
  readonly last: ReadonlySet<string>;
  /** Countries, cities, regions and places, single words and multi-word ("costa rica"). */
  readonly places: ReadonlySet<string>;
  /** Names that are as often a month, place, brand or word: a person only with a cue or a surname. */
  readonly ambiguous: ReadonlySet<string>;
  /** Companies named after people ("wells fargo"). */
  readonly companies: ReadonlySet<string>;
}

// From src/guard/detectors/ and dist/guard/detectors/ alike, three levels up is the package root.
const LEXICON_DIR = new URL('../../../data/lexicon/', import.meta.url);

function words(...files: string[]): ReadonlySet<string> {
  const out = new Set<string>();
  for (const file of files)
    for (const line of readFileSync(new URL(file, LEXICON_DIR), 'utf8').split('\n'))
      if (line !== '' && !line.startsWith('#')) out.add(line.normalize('NFC'));
  return out;
}

let cached: NameLexicon | undefined;

/** Read once per process (at boot, when a PII detector wants PERSON), then shared: the sets are never mutated. */
export function loadNameLexicon(): NameLexicon {
  cached ??= {
    first: words('first-names.txt', 'first-names-curated.txt'),
    firstWorld: words('first-names-world.txt'),
    last: words('last-names.txt', 'last-names-world.txt'),
    places: words('places.txt'),
    ambiguous: words('ambiguous-names.txt'),
    companies: words('companies.txt'),
  };
  return cached;
}

// Family-name endings common across Nordic, Slavic, Baltic, Greek and Romanian names.
const SURNAME_SUFFIX =
  /(?:dóttir|dottir|sson|sdóttir|ová|ovà|ski|ska|sky|skiy|wicz|vić|vič|ić|ič|enko|escu|ovich|ovna|ovic|poulos|akis|idis|ylä|inen|ssen|sen|ides|shvili|dze|yan|ian|ov|ova|ev|eva)$/iu;
const NON_ASCII = /[^\u0000-\u007f]/;
const HAS_UPPER = /\p{Lu}/u;
const HAS_LOWER = /\p{Ll}/u;
const CAP_WORD = /\p{Lu}[\p{L}\p{M}'’-]*\.?/gu;
/** Between two parts of one name: spaces, or a lower-case particle ("João da Silva", "van der"). */
const NAME_GAP =
  /^[ \t]{1,2}(?:(?:da|de|do|dos|das|di|del|della|van|von|der|den|ter|la|le|du|y|e|bin|ibn|al)[ \t]{1,2}){0,2}$/;
const HONORIFIC_GAP = /^\.?[ \t]{1,2}$/;
const LOWER_WORD_AFTER = /^[ \t]{1,2}(\p{Ll}[\p{Ll}\p{M}-]{1,30})(?![\p{L}\p{M}])/u;
const LOWER_WORD = /\p{Ll}[\p{Ll}\p{M}-]{1,30}(?![\p{L}])/gu;
const LOWER_STOP = new Set([...STOP_CAPS].map((w) => w.toLowerCase()));
const LOWER_HONORIFIC = /^(?:mr|mrs|ms|dr|prof|herr|frau|pan|pani|sr|sra)$/;
/** A dialogue line "anna: ..." names its speaker. */
const SPEAKER_AFTER = /^[ \t]{0,2}:/;
const REPORTING_CUE = /^(?:says|said|asked|my\s+name\s+is|name:|dear|regards|sincerely)/i;
/** A firm written as "A & B" or "A, B and C": its words are not heads of a person span. */
const FIRM =
  /\p{Lu}[\p{L}'’-]{1,30}(?:[ \t]{0,3}&[ \t]{0,3}|,[ \t]{1,3}\p{Lu}[\p{L}'’-]{1,30},?[ \t]{1,3}(?:and|&)[ \t]{1,3})\p{Lu}[\p{L}'’-]{1,30}/gu;

interface Tok {
  readonly text: string;
  readonly lower: string;
  readonly start: number;
  readonly end: number;
}

/** The capitalised words of the text (the others never start a name in mixed-case text). */
function tokenise(text: string): Tok[] {
  const toks: Tok[] = [];
  for (const m of matchAll(CAP_WORD, text)) {
    let w = m[0];
    if (w.endsWith('.')) w = w.slice(0, -1);
    const bare = w.replace(/['’]s$/, '');
    toks.push({ text: bare, lower: bare.toLowerCase(), start: m.index, end: m.index + bare.length });
  }
  return toks;
}

/** Whether position `i` starts a sentence or a line (after skipping quotes, brackets and bullets). */
function sentenceInitial(text: string, i: number): boolean {
  let k = i - 1;
  while (k >= 0 && i - k < 8 && ' \t"\'“‘(*->•'.includes(text.charAt(k))) k--;
  return k < 0 || '.!?\n:;'.includes(text.charAt(k));
}

export function findPersons(text: string, lex: NameLexicon): Span[] {
  const spans: Span[] = [];
  findCapitalised(text, lex, spans);
  findAfterLowerCue(text, lex, spans);
  // Without any capital letter, capitalisation says nothing: a given name with a surname, an
  // honorific with a known name, a dialogue speaker or the subject of a verb is a person.
  if (!HAS_UPPER.test(text)) findAllLowerCase(text, lex, spans);
  return spans;
}

function findCapitalised(text: string, lex: NameLexicon, spans: Span[]): void {
  const toks = tokenise(text);
  if (toks.length === 0) return;
  const firms = matchAll(FIRM, text).map((m) => ({ start: m.index, end: m.index + m[0].length }));
  // Tokens are visited in text order and firm matches do not overlap: one moving index suffices.
  let fi = 0;
  const inFirm = (t: Tok): boolean => {
    while (fi < firms.length && (firms[fi] as Span).end < t.end) fi++;
    const f = firms[fi];
    return f !== undefined && t.start >= f.start && t.end <= f.end;
  };
  const isNamey = (t: Tok): boolean => !STOP_CAPS.has(t.text) && t.text.length > 1;
  const given = (t: Tok): boolean => lex.first.has(t.lower) || lex.firstWorld.has(t.lower);
  const surname = (t: Tok): boolean => lex.last.has(t.lower) || SURNAME_SUFFIX.test(t.text);
  const joined = (a: Tok, b: Tok | undefined): boolean =>
    b !== undefined && isNamey(b) && NAME_GAP.test(text.slice(a.end, b.start));

  let i = 0;
  for (let t = toks[0]; t !== undefined; t = toks[i]) {
    const next = toks[i + 1];
    let from = i;
    let cued = false;
    let hit = false;
    if (HONORIFIC.test(t.text) && next !== undefined && isNamey(next)) {
      hit = HONORIFIC_GAP.test(text.slice(t.end, next.start));
      cued = hit;
      from = i + 1;
    } else if (isNamey(t)) {
      const before = text.slice(Math.max(0, t.start - 32), t.start);
      const surnameNext = joined(t, next) && next !== undefined && surname(next);
      cued = STRONG_CUE.test(before) || SIGN_OFF.test(before);
      const lower = t.lower;
      if (cued) hit = true;
      else if (lex.ambiguous.has(lower) || lex.places.has(lower)) hit = surnameNext;
      // An all-capitals word is an acronym ("IANA ID", "META") unless a surname is joined to it.
      else if (!HAS_LOWER.test(t.text)) hit = given(t) && surnameNext;
      else if (inFirm(t) && !given(t)) hit = false;
      else if (lex.first.has(lower)) {
        hit =
          !SENTENCE_START_AMBIGUOUS.has(lower) ||
          !sentenceInitial(text, t.start) ||
          joined(t, next) ||
          SUBJECT_VERB.test(text.slice(t.end, t.end + 12));
      } else if (lex.firstWorld.has(lower)) {
        hit =
          !sentenceInitial(text, t.start) ||
          joined(t, next) ||
          NON_ASCII.test(t.text) ||
          WEAK_CUE.test(before) ||
          SUBJECT_VERB.test(text.slice(t.end, t.end + 12));
      } else if (surname(t)) {
        const prev = toks[i - 1];
        hit =
          joined(t, next) ||
          WEAK_CUE.test(before) ||
          (SURNAME_SUFFIX.test(t.text) &&
            prev !== undefined &&
            isNamey(prev) &&
            NAME_GAP.test(text.slice(prev.end, t.start)));
      }
    }
    const head = toks[from];
    if (!hit || head === undefined) {
      i++;
      continue;
    }
    // Extend over the following name parts on the same line (given names, particles, surnames).
    let j = from;
    let last = head;
    for (let n = toks[j + 1]; n !== undefined && j - from < 3 && joined(last, n); n = toks[j + 1]) {
      j++;
      last = n;
    }
    if (cued || !notAPerson(text, lex, toks, from, j, given)) {
      const particle = PARTICLE_BEFORE.exec(text.slice(Math.max(0, head.start - 6), head.start));
      const start = particle === null ? head.start : head.start - particle[0].trimStart().length;
      spans.push({ start: /^[^\p{L}]/u.test(text.charAt(start)) ? start + 1 : start, end: last.end });
    }
    i = j + 1;
  }
}

/** The span toks[from..to] is a place, a company or a firm rather than a person. */
function notAPerson(
  text: string,
  lex: NameLexicon,
  toks: readonly Tok[],
  from: number,
  to: number,
  given: (t: Tok) => boolean,
): boolean {
  const head = toks[from] as Tok;
  const last = toks[to] as Tok;
  const second = toks[from + 1];
  const pair = second === undefined ? '' : `${head.lower} ${second.lower}`;
  if (lex.places.has(head.lower) || lex.places.has(pair)) return true;
  const spanLower = text.slice(head.start, last.end).toLowerCase();
  if (lex.companies.has(spanLower) || lex.companies.has(pair) || lex.companies.has(head.lower)) return true;
  if (PLACE_BEFORE.test(text.slice(Math.max(0, head.start - 16), head.start))) return true;
  for (let k = from + 1; k <= to; k++) {
    const t = toks[k] as Tok;
    if (ORG_WORDS.has(t.lower) || LEGAL_FORMS.has(t.text)) return true;
  }
  const after = text.slice(last.end, last.end + 48);
  const nextTok = toks[to + 1];
  if (nextTok !== undefined && nextTok.start - last.end <= 2 && ORG_WORDS.has(nextTok.lower)) return true;
  if (LEGAL_FORM_AFTER.test(after)) return true;
  let anyGiven = false;
  for (let k = from; k <= to && !anyGiven; k++) anyGiven = given(toks[k] as Tok);
  return !anyGiven && FIRM_AFTER.test(after);
}

/** Lower-case names after a cue ("my name is anna", "says jónsson"); a surname may follow the name. */
function findAfterLowerCue(text: string, lex: NameLexicon, spans: Span[]): void {
  for (const m of matchAll(LOWER_NAME_CUE, text)) {
    const word = m[1];
    if (word === undefined) continue;
    const start = m.index + m[0].length - word.length;
    const isGiven = (lex.first.has(word) || lex.firstWorld.has(word)) && !lex.ambiguous.has(word);
    const cue = m[0].slice(0, m[0].length - word.length).trim();
    const isSurname = REPORTING_CUE.test(cue) && (lex.last.has(word) || SURNAME_SUFFIX.test(word));
    if ((!isGiven && !isSurname) || lex.places.has(word)) continue;
    let end = start + word.length;
    const more = LOWER_WORD_AFTER.exec(text.slice(end, end + 34));
    const w2 = more?.[1];
    if (more !== null && w2 !== undefined && (lex.last.has(w2) || SURNAME_SUFFIX.test(w2)))
      end += more[0].length;
    spans.push({ start, end });
  }
}

function findAllLowerCase(text: string, lex: NameLexicon, spans: Span[]): void {
  const ws = matchAll(LOWER_WORD, text);
  const givenAlone = (w: string): boolean =>
    (lex.first.has(w) || lex.firstWorld.has(w)) &&
    !lex.ambiguous.has(w) &&
    !lex.places.has(w) &&
    !SENTENCE_START_AMBIGUOUS.has(w);
  const surname = (w: string): boolean => lex.last.has(w) || SURNAME_SUFFIX.test(w);
  for (let i = 0; i < ws.length; i++) {
    const m = ws[i] as RegExpExecArray;
    const w = m[0];
    const end = m.index + w.length;
    const n = ws[i + 1];
    const gap = n === undefined ? '' : text.slice(end, n.index);
    let span: Span | null = null;
    if (LOWER_HONORIFIC.test(w) && n !== undefined && HONORIFIC_GAP.test(gap) && !LOWER_STOP.has(n[0])) {
      span = { start: n.index, end: n.index + n[0].length };
      i++;
    } else if (givenAlone(w) && n !== undefined && NAME_GAP.test(gap) && surname(n[0])) {
      span = { start: m.index, end: n.index + n[0].length };
      i++;
    } else if (
      givenAlone(w) &&
      (SPEAKER_AFTER.test(text.slice(end, end + 3)) || SUBJECT_VERB.test(text.slice(end, end + 12)))
    ) {
      span = { start: m.index, end };
    }
    if (span !== null) spans.push(span);
  }
}
