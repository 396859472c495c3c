/**
 * Person names. A full NLP parser costs milliseconds per prompt, too slow for every request, so we
 * apply a lexicon (first names, last names, and the place words that must not be read as names) with
 * capitalisation and context cues in one linear pass. The lexicon ships as word lists in
 * data/lexicon/, taken once from compromise's built-in lexicon (MIT; scripts/lexicon-from-compromise.mjs
 * regenerates them), so the 4.7 MB library is not loaded at boot.
 */
import { readFileSync } from 'node:fs';
import { matchAll } from '../match-all.js';
import type { Span } from '../types.js';

export interface NameLexicon {
  readonly first: ReadonlySet<string>;
  readonly last: ReadonlySet<string>;
  /** Countries, cities, regions and places, single words and multi-word ("costa rica"). */
  readonly places: ReadonlySet<string>;
}

// From src/guard/detectors/ and dist/guard/detectors/ alike, three levels up is the package root.
const LEXICON_DIR = new URL('../../../data/lexicon/', import.meta.url);

function words(file: string): ReadonlySet<string> {
  const text = readFileSync(new URL(file, LEXICON_DIR), 'utf8');
  return new Set(text.split('\n').filter((w) => w !== ''));
}

let cached: NameLexicon | undefined;

/** Read once per process (at boot, when a PII detector wants PERSON), then shared: the sets are never mutated. */
export function loadNameLexicon(): NameLexicon {
  cached ??= {
    first: words('first-names.txt'),
    last: words('last-names.txt'),
    places: words('places.txt'),
  };
  return cached;
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
  for (const m of matchAll(all ? WORD : CAP_WORD, text)) {
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
  for (let t = toks[0]; t !== undefined; t = toks[i]) {
    const next = toks[i + 1];
    const prev = toks[i - 1];
    let hit = false;
    let head = t;
    let from = i;
    if (HONORIFIC.test(t.text) && next !== undefined && isNamey(next)) {
      hit = true;
      head = next;
      from = i + 1;
    } else if (isNamey(t) && lex.first.has(t.lower)) {
      hit = true;
    } else if (isNamey(t) && !lowerText) {
      const before = text.slice(Math.max(0, t.start - 24), t.start);
      const adjacentNext = next !== undefined && isNamey(next) && next.start - t.end <= 2;
      if (STRONG_CUE.test(before)) hit = true;
      else if (known(t) && (adjacentNext || WEAK_CUE.test(before))) hit = true;
      else if (SURNAME_SUFFIX.test(t.text) && prev !== undefined && isNamey(prev) && t.start - prev.end <= 2)
        hit = true;
    }
    const after = toks[from + 1];
    const pair = after === undefined ? '' : `${head.lower} ${after.lower}`;
    if (!hit || lex.places.has(head.lower) || lex.places.has(pair)) {
      i++;
      continue;
    }
    // Extend over following name-like tokens on the same line (given names, surnames, suffixes).
    let j = from;
    let last = head;
    for (let n = toks[j + 1]; n !== undefined && j - from < 3 && isNamey(n) && n.start - last.end <= 2; ) {
      j++;
      last = n;
      n = toks[j + 1];
    }
    spans.push({ start: head.start, end: last.end });
    i = j + 1;
  }
  return spans;
}
