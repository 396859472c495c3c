/**
 * Text normalisation ahead of detection.
 *
 * - `sanitise` is what the detectors scan: NFKC, with invisible characters removed (zero-width, bidi
 *   controls, soft hyphen, variation selectors and the U+E0000 tag block used for "ASCII smuggling").
 *   PII and secret spans point into it, so a text with a redaction is forwarded in this form.
 * - `stripInvisible` is what is forwarded otherwise: invisible characters removed, but no NFKC, which
 *   would change meaning (x² -> x2, ½ -> 1⁄2).
 * - `fold` is for matching only: confusables and diacritics folded to ASCII, lower case, leetspeak
 *   undone inside words, letter-by-letter spacing collapsed. It is never sent anywhere.
 */

// Zero-width, joiners, word joiner and invisible operators, BOM, soft hyphen, Mongolian vowel
// separator, bidi embeddings/overrides/isolates, variation selectors, Hangul fillers.
const INVISIBLE =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: combining marks are listed on purpose, to delete them one by one
  /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\uFFF9-\uFFFB]|\uDB40[\uDC00-\uDDEF]/g;

// Tag characters U+E0020..U+E007E mirror printable ASCII; as a surrogate pair that is \uDB40 + \uDC20..\uDC7E.
const TAG_RUN = /(?:\uDB40[\uDC20-\uDC7E]){2,}/g;

/** Removal of invisible characters only: what is forwarded when nothing is redacted. */
export function stripInvisible(text: string): string {
  INVISIBLE.lastIndex = 0;
  return INVISIBLE.test(text) ? text.replace(INVISIBLE, '') : text;
}

// Runs of more than 30 combining marks (Unicode's stream-safe limit, UAX #15 section 13): no
// writing system needs more, and normalisation sorts a run of marks by combining class with an
// insertion sort, so its cost grows with the square of the run (40,000 marks: 0.7 s). A longer run
// ("Zalgo" text) keeps its first 30 marks. The look-behind lets a match start only where a run
// starts, so each character is looked at a bounded number of times (no rescan from inside a run).
const MAX_MARKS = 30;
const MARK_RUN = /(?<!\p{M})\p{M}{31,}/gu;

/** `text` with every run of combining marks cut to `MAX_MARKS`: what keeps NFKC and NFD linear. */
export function capMarkRuns(text: string): string {
  MARK_RUN.lastIndex = 0;
  if (!MARK_RUN.test(text)) return text;
  return text.replace(MARK_RUN, (run) => {
    let end = 0;
    for (let k = 0; k < MAX_MARKS; k++) end += (run.codePointAt(end) ?? 0) > 0xffff ? 2 : 1;
    return run.slice(0, end);
  });
}

/**
 * NFKC and removal of invisible characters: the text the detectors scan. Linear: mark runs are cut
 * first (above), and NFKC then grows a text at most 18-fold (U+FDFA), so the result is at most
 * 18 times the input's length.
 */
export function sanitise(text: string): string {
  const n = capMarkRuns(text).normalize('NFKC');
  INVISIBLE.lastIndex = 0;
  // Removing an invisible character can join two runs of marks into one: cut again.
  return INVISIBLE.test(n) ? capMarkRuns(n.replace(INVISIBLE, '')) : n;
}

/** The ASCII text hidden in Unicode tag characters, if any (scanned as a decoded view). */
export function tagSmuggled(text: string): string | null {
  const runs = text.match(TAG_RUN);
  if (!runs) return null;
  let out = '';
  for (const run of runs) {
    for (let i = 1; i < run.length; i += 2) out += String.fromCharCode(run.charCodeAt(i) - 0xdc00);
    out += ' ';
  }
  return out;
}

// Latin look-alikes from Cyrillic, Greek, Armenian and a few symbol blocks that NFKC leaves alone.
// Source: the most frequent entries of Unicode's confusables.txt that map to a single ASCII letter.
const CONFUSABLE_PAIRS: readonly (readonly [string, string])[] = [
  ['аɑα', 'a'],
  ['вʙβ', 'b'],
  ['сϲⅽ', 'c'],
  ['ԁɗ', 'd'],
  ['еєεҽ', 'e'],
  ['ғ', 'f'],
  ['ɡց', 'g'],
  ['һհ', 'h'],
  ['іιɩӏ', 'i'],
  ['јϳ', 'j'],
  ['кκ', 'k'],
  ['ⅼ', 'l'],
  ['м', 'm'],
  ['пոη', 'n'],
  ['оοσօ', 'o'],
  ['рρ', 'p'],
  ['ԛ', 'q'],
  ['г', 'r'],
  ['ѕ', 's'],
  ['т', 't'],
  ['υս', 'u'],
  ['νѵ', 'v'],
  ['ԝѡ', 'w'],
  ['хχ', 'x'],
  ['уүγ', 'y'],
  ['ᴢ', 'z'],
  ['АΑ', 'a'],
  ['ВΒ', 'b'],
  ['СϹ', 'c'],
  ['ЕΕ', 'e'],
  ['НΗ', 'h'],
  ['ІΙӀ', 'i'],
  ['Ј', 'j'],
  ['ΚК', 'k'],
  ['МΜ', 'm'],
  ['ΝИ', 'n'],
  ['ОΟ', 'o'],
  ['РΡ', 'p'],
  ['ЅS', 's'],
  ['ТΤ', 't'],
  ['ХΧ', 'x'],
  ['УΥ', 'y'],
  ['ΖZ', 'z'],
];

const CONFUSABLES: ReadonlyMap<string, string> = new Map(
  CONFUSABLE_PAIRS.flatMap(([chars, ascii]) => [...chars].map((c) => [c, ascii] as const)),
);
const NON_ASCII = /[^\u0000-\u007F]/;
const COMBINING = /[\u0300-\u036F]/g;

// Leetspeak inside a token that also has letters: "1gn0r3" -> "ignore", "pr3v10u$" -> "previous".
const LEET: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  '9': 'g',
  '@': 'a',
  $: 's',
  '!': 'i',
  '|': 'l',
  '+': 't',
};
const LEET_CODE = new Uint8Array(128);
for (const c of Object.keys(LEET)) LEET_CODE[c.charCodeAt(0)] = 1;
const UNIT_OR_VERSION = /^[0-9]{2,}[a-z]+$|^[a-z]+[0-9]+$/;
const LEET_CHARS = /[0-9@$!|+]/g;
// "i g n o r e" / "i.g.n.o.r.e" / "i-g-n-o-r-e": four or more single letters with one separator. The
// look-behind makes a match start only at the beginning of such a run, which keeps it linear.
const SPACED = /(?<![a-z][ .\-_*])\b(?:[a-z][ .\-_*]){3,}[a-z]\b/g;
const SEPARATORS = /[ .\-_*]/g;
// Only runs of two or more, or a whitespace other than the plain space (single spaces are left alone).
const HSPACE =
  /(?: [ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]|[\t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000])[ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]*/g;
const VSPACE = / ?[\n\r\u2028\u2029][\s]*/g;

/**
 * Leetspeak inside tokens that mix letters with leet characters ("1gn0r3" -> "ignore",
 * "pr3v10u$" -> "previous"), by one linear scan over runs of [a-z0-9@$!|+].
 */
function unLeet(t: string): string {
  let out = '';
  let from = 0;
  let start = -1;
  let letters = false;
  let leet = false;
  for (let i = 0; i <= t.length; i++) {
    const c = i < t.length ? t.charCodeAt(i) : 0;
    const isLetter = c >= 97 && c <= 122;
    if (isLetter || (c < 128 && LEET_CODE[c] === 1)) {
      if (start < 0) {
        start = i;
        letters = false;
        leet = false;
      }
      if (isLetter) letters = true;
      else leet = true;
      continue;
    }
    if (start >= 0 && letters && leet) {
      const tok = t.slice(start, i);
      if (!UNIT_OR_VERSION.test(tok)) {
        out += t.slice(from, start) + tok.replace(LEET_CHARS, (ch) => LEET[ch] ?? ch);
        from = i;
      }
    }
    start = -1;
  }
  return from === 0 ? t : out + t.slice(from);
}

// One character class of every confusable (all in the BMP), so folding is one native linear replace
// rather than a per-character loop (which cost ~0.5 µs per character on long non-ASCII texts).
const CONFUSABLE_CHAR = new RegExp(`[${[...CONFUSABLES.keys()].join('')}]`, 'g');
const foldChar = (c: string): string => CONFUSABLES.get(c) ?? c;

/** Matching form: ASCII-folded, lower case, whitespace collapsed, leetspeak undone, spaced letters joined. */
export function fold(sanitised: string): string {
  let t = sanitised;
  if (NON_ASCII.test(t)) {
    t = t.replace(CONFUSABLE_CHAR, foldChar).normalize('NFD').replace(COMBINING, '');
  }
  // Whitespace runs collapse to one character, which also keeps every signature's \\s* linear.
  t = t.toLowerCase().replace(HSPACE, ' ').replace(VSPACE, '\n');
  return unLeet(t).replace(SPACED, (run) => run.replace(SEPARATORS, ''));
}
