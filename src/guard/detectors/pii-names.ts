/**
 * Person names. Running compromise's full parser costs milliseconds per prompt, too slow for every
 * request, so at boot we take its lexicon (first names, last names, honorifics and the place and
 * organisation words that must not be read as names) and apply it with capitalisation and context
 * cues in one linear pass. Operators who can afford it may switch `names: 'nlp'` to run compromise's
 * `people()` as well.
 */
import nlp from 'compromise';
import type { Span } from '../types.js';

export interface NameLexicon {
  readonly first: ReadonlySet<string>;
  readonly last: ReadonlySet<string>;
  /** Countries, cities, regions and places, single words and multi-word ("costa rica"). */
  readonly places: ReadonlySet<string>;
}

const FIRST_TAGS = new Set(['FirstName', 'MaleName', 'FemaleName']);
const PLACE_TAGS = new Set(['Country', 'City', 'Region', 'Place']);

export function loadNameLexicon(): NameLexicon {
  const model = nlp.model() as { one?: { lexicon?: Record<string, string | string[]> } };
  const lexicon = model.one?.lexicon ?? {};
  const first = new Set<string>();
  const last = new Set<string>();
  const places = new Set<string>();
  for (const [word, tag] of Object.entries(lexicon)) {
    const tags = Array.isArray(tag) ? tag : [tag];
    if (tags.some((t) => PLACE_TAGS.has(t))) places.add(word);
    if (word.includes(' ')) continue;
    if (tags.some((t) => FIRST_TAGS.has(t))) first.add(word);
    else if (tags.includes('LastName')) last.add(word);
  }
  return { first, last, places };
}

const WORD = /[\p{L}][\p{L}\p{M}'’-]*\.?/gu;
const UPPER_START = /^\p{Lu}/u;
const HONORIFIC = /^(?:mr|mrs|ms|miss|mx|dr|prof|sir|dame|madam|mme|mlle|herr|frau|sr|sra|srta)\.?$/i;
// Family-name endings common across Nordic, Slavic, Baltic, Greek and Romanian names.
const SURNAME_SUFFIX =
  /(?:dóttir|dottir|sson|sdóttir|ová|ová|ovà|ski|ska|sky|skiy|wicz|vić|vič|ić|ič|enko|escu|ovich|ovna|ovic|poulos|akis|idis|ylä|inen|ssen|sen|ides|shvili|dze|yan|ian)$/iu;
// Words after which a capitalised token is a person ("my name is X", "directed by X").
const STRONG_CUE =
  /(?:name(?:\s+is|:)|call(?:s|ed)?\s+me|this\s+is|under|directed\s+by|written\s+by|starring|assistant\s+to|married\s+to|shouted\s+at|dear|sincerely,?|regards,?|signed,?|ask\s+for|said|says|asked|replied|follow\s+up\s+with|talk\s+to|spoke\s+(?:to|with))\s+$/i;
// Weaker cues only count for a token the lexicon already knows as a name.
const WEAK_CUE = /(?:and|to|with|from|met|by|for|,)\s*$/i;
const STOP_CAPS = new Set([
  'The',
  'A',
  'An',
  'I',
  'In',
  'On',
  'At',
  'Of',
  'And',
  'Or',
  'But',
  'If',
  'To',
  'For',
  'From',
  'With',
  'My',
  'Your',
  'His',
  'Her',
  'Our',
  'Their',
  'This',
  'That',
  'These',
  'Those',
  'It',
  'We',
  'You',
  'They',
  'He',
  'She',
  'What',
  'Who',
  'When',
  'Where',
  'Why',
  'How',
  'Is',
  'Are',
  'Was',
  'Were',
  'Be',
  'Do',
  'Does',
  'Did',
  'Have',
  'Has',
  'Please',
  'Hello',
  'Hi',
  'Dear',
  'Thanks',
  'Thank',
  'Yes',
  'No',
  'Not',
  'Can',
  'Could',
  'Would',
  'Should',
  'Will',
  'May',
  'Maybe',
  'Sometimes',
  'As',
  'Name',
  'Date',
  'Phone',
  'Email',
  'Address',
  'Suite',
  'Apt',
]);

interface Tok {
  readonly text: string;
  readonly lower: string;
  readonly start: number;
  readonly end: number;
  readonly cap: boolean;
}

const CAP_WORD = /\p{Lu}[\p{L}\p{M}'’-]*\.?/gu;

/** Words of the text; only capitalised ones unless the text is all lower case (the others never start a name). */
function tokenise(text: string, all: boolean): Tok[] {
  const toks: Tok[] = [];
  for (const m of text.matchAll(all ? WORD : CAP_WORD)) {
    let w = m[0];
    if (w.endsWith('.')) w = w.slice(0, -1);
    const bare = w.replace(/['’]s$/, '');
    toks.push({
      text: bare,
      lower: bare.toLowerCase(),
      start: m.index,
      end: m.index + bare.length,
      cap: UPPER_START.test(bare),
    });
  }
  return toks;
}

/** Spans of likely person names in `text`. Linear in the text length. */
export function findPersons(text: string, lex: NameLexicon): Span[] {
  // All-lower-case texts ("said petra to michael") lose the capitalisation signal; lean on the lexicon.
  const lowerText = !/\p{Lu}/u.test(text);
  const toks = tokenise(text, lowerText);
  const spans: Span[] = [];
  const isNamey = (t: Tok): boolean => (lowerText || t.cap) && !STOP_CAPS.has(t.text) && t.text.length > 1;
  const known = (t: Tok): boolean =>
    lex.first.has(t.lower) || lex.last.has(t.lower) || SURNAME_SUFFIX.test(t.text);
  let i = 0;
  while (i < toks.length) {
    const t = toks[i]!;
    let hit = false;
    let from = i;
    if (HONORIFIC.test(t.text) && toks[i + 1] !== undefined && isNamey(toks[i + 1]!)) {
      hit = true;
      from = i + 1;
    } else if (isNamey(t) && lex.first.has(t.lower)) {
      hit = true;
    } else if (isNamey(t) && !lowerText) {
      const next = toks[i + 1];
      const before = text.slice(Math.max(0, t.start - 24), t.start);
      const adjacentNext = next !== undefined && isNamey(next) && next.start - t.end <= 2;
      if (STRONG_CUE.test(before)) hit = true;
      else if (known(t) && (adjacentNext || WEAK_CUE.test(before))) hit = true;
      else if (
        SURNAME_SUFFIX.test(t.text) &&
        i > 0 &&
        isNamey(toks[i - 1]!) &&
        t.start - toks[i - 1]!.end <= 2
      )
        hit = true;
    }
    const pair = toks[from + 1] === undefined ? '' : `${toks[from]!.lower} ${toks[from + 1]!.lower}`;
    if (!hit || lex.places.has(toks[from]!.lower) || lex.places.has(pair)) {
      i++;
      continue;
    }
    let j = from;
    // Extend over following name-like tokens on the same line (given names, surnames, suffixes).
    while (
      j + 1 < toks.length &&
      j - from < 3 &&
      isNamey(toks[j + 1]!) &&
      toks[j + 1]!.start - toks[j]!.end <= 2
    )
      j++;
    spans.push({ start: toks[from]!.start, end: toks[j]!.end });
    i = j + 1;
  }
  return spans;
}

/** compromise's full parser, for operators who choose accuracy over latency. */
export function findPersonsNlp(text: string): Span[] {
  const spans: Span[] = [];
  for (const name of nlp(text).people().out('array') as string[]) {
    const clean = name.replace(/[.,;:!?]+$/, '');
    const at = text.indexOf(clean);
    if (at >= 0) spans.push({ start: at, end: at + clean.length });
  }
  return spans;
}
