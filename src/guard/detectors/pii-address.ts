/**
 * Street and postal addresses by structure: a house number with a street word, unit markers (Suite,
 * Apt.), post-office and military boxes, "City ST 12345", a postal code after a country line, and text
 * introduced as an address. Every quantifier is bounded, so each pattern is linear in the text.
 */
import { matchAll, matchAllAt } from '../match-all.js';
import type { Span } from '../types.js';

const STREET_WORDS =
  'street|st|road|rd|avenue|ave|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace|highway|hwy|parkway|pkwy|square|sq|circle|cir|trail|crescent|close|alley|row|mews|gardens|grove';
const LEADING_STREET =
  'rue|rua|via|viale|calle|carrer|camino|chemin|avenida|av|avenue|boulevard|piazza|plaza|praça|largo|travessa|allée|quai|strada|ulica|ul|aleja|odos|leoforos';
const SUFFIX_STREET =
  'straße|strasse|str|weg|gasse|platz|allee|ring|damm|ufer|vej|gade|gatan|vägen|veien|gata|laan|straat|plein|dreef|tie|katu|utca|út|tér|iela|gatve|tänav|tee|brücke|sund|lund|bakken|stræde|vegur|stígur|braut|ulica|cesta|ulice|třída|náměstí|utcája';

/** "Rue", "rue": the street words in both cases, without the `i` flag (which would make \p{Lu} match lower case). */
const bothCases = (alts: string): string =>
  alts
    .split('|')
    .map((w) => `[${w.charAt(0).toUpperCase()}${w.charAt(0)}]${w.slice(1)}`)
    .join('|');
const PARTICLES = 'de|da|do|dos|das|del|della|di|la|le|des|du|degli|dei|van|von';

const DIGIT = /[0-9]/;

/** A ship's address: the only shape here without a digit. */
const SHIP = /\b(?:USNS|USNV|USS|USCGC)\s+\p{L}{2,30}\s*(?:\n|,)?\s*FPO\s+A[AEP]\b/gu;

export const PATTERNS: readonly RegExp[] = [
  // "Via Roma 10", "ul. Długa 5/7", "Avenida da Liberdade 110": street word, a capitalised name, a
  // number that ends the phrase (a comma, a line end, a full stop), so "sent via DHL 2 days ago" is not.
  new RegExp(
    `(?<![\\p{L}])(?:${bothCases(LEADING_STREET)})\\.?[ \\t]{1,3}(?:(?:${PARTICLES})[ \\t]{1,3}){0,2}\\p{Lu}[\\p{L}'’.-]{0,30}(?:[ \\t]{1,3}\\p{L}[\\p{L}'’.-]{0,30}){0,3}[ \\t]{1,3}\\d{1,5}[A-Za-z]?(?:[ \\t]?[/-][ \\t]?\\d{1,5})?(?=[ \\t]{0,2}(?:$|[,;)\\n]|\\.(?:\\s|$)))`,
    'gu',
  ),
  new RegExp(
    `\\b\\d{1,5}[A-Za-z]?(?:\\s+\\d{1,5})?\\s+(?:[\\p{L}'.-]{1,30}\\s+){0,4}(?:${STREET_WORDS})\\b\\.?`,
    'giu',
  ),
  new RegExp(
    `\\b\\d{1,5}[A-Za-z]?,?\\s+(?:\\d{1,5}\\s+)?(?:${LEADING_STREET})\\.?\\s+\\p{L}[\\p{L}'.-]{0,30}`,
    'giu',
  ),
  // Hungarian abbreviations after the street name: "Király u. 23.", "Andrássy út 60".
  /(?<![\p{L}])\p{Lu}[\p{L}'’-]{1,30}[ \t]{1,2}(?:u\.|krt\.|körút|tér|út|utca)[ \t]{1,2}\d{1,4}\.?(?![\p{L}\d])/gu,
  /\b(?:suite|ste\.|apt\.?|apartment)\s*#?\s*\d{1,5}[A-Za-z]?\b/gi,
  /\b(?:P\.?\s?O\.?\s*Box|Postbox|Post\s+Office\s+Box)\s+\d{1,6}\b/gi,
  /\b(?:PSC|Unit)\s+\d{4},?\s+Box\s+\d{4}\b|\b[AFD]PO\s+A[AEP]\s+\d{5}\b/gi,
  SHIP,
  /\b\p{Lu}[\p{L}.'-]{1,30}(?:\s+\p{Lu}[\p{L}.'-]{1,30}){0,3},?\s+[A-Z]{2},?\s+\d{5}(?:-\d{4})?\b/gu,
  // "<building> <street name> <number>" on its own line or after a colon, as written across Europe.
  /(?:^|\n|:(?=[ \t]))[ \t>?*-]{0,6}\d{1,5}\s+(?:\d{1,5}\s+)?\p{L}[\p{L}'’.-]{0,30}(?:[ \t]+[\p{L}'’.-]{1,30}){0,5}[ \t]+\d{1,5}[A-Za-z]?\.?(?=[ \t]*(?:$|\n|,|\p{Lu}))/gmu,
  /\baddress(?:\s+is|:)\s*\n{0,2}[^\n]{0,10}\d{1,5}[^\n]{2,80}/gi,
];

// A country or city line ending in a postal code, after a line break: an address only when another
// address part (a street line, a P.O. box) ends shortly before it; alone, "Revenue 12345" or
// "Chicago 60601" is a figure or a bare postal code, not a direct identifier.
const POSTAL_LINE =
  /\n[ \t>?*-]{0,6}\p{Lu}[\p{L}'.-]{1,30}(?:[ \t]+\p{L}[\p{L}'.-]{0,30}){0,3}[ \t]+\d{4,6}[ \t]*(?=\n|$)/gu;
const POSTAL_CONTEXT_CHARS = 130;

// "Hauptstraße 12", "Algade 49": a word with a street suffix, then a number. Anchored on the numbers
// (few in prose): the word before each is checked for a street ending.
const NUMBER_AFTER_SPACE = /(?<=[\p{L}\p{M}.][ \t]{1,4})\d{1,5}[A-Za-z]?\b/gu;
const WORD_BEFORE = /[\p{L}\p{M}]{2,40}\.?[ \t]{1,4}$/u;
const STREET_SUFFIX = new RegExp(`(?:${SUFFIX_STREET})\\.?[ \\t]+$`, 'iu');

/**
 * Postal codes of other countries, with the town after them where the country writes it so. Alone,
 * a postal code is a bare ZIP (a quasi-identifier, not an address): each counts only after a street
 * part (`afterStreet`).
 */
const POSTCODES: readonly RegExp[] = [
  // UK (the Royal Mail's outward + inward shape) and Canada (letters that Canada Post never uses left out).
  /(?<![A-Za-z\d])[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?[ ]?\d[ABD-HJLNP-UW-Z]{2}(?![A-Za-z\d])/g,
  /(?<![A-Za-z\d])[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ ]?\d[ABCEGHJ-NPRSTV-Z]\d(?![A-Za-z\d])/g,
  // Continental Europe: optional country prefix ("D-", "PL-"), then PL 00-950, PT 1000-001, SE 123 45,
  // NL 1012 AB, or three (Iceland) to five digits; then the town.
  /(?<![\p{L}\d-])(?:(?:[A-Z]{1,3})-)?(?:\d{2}-\d{3}|\d{4}-\d{3}|\d{3} \d{2}|\d{4} ?[A-Z]{2}|\d{3,5})[ \t]{1,3}\p{Lu}[\p{L}'’-]{1,30}(?:[ \t-]\p{Lu}[\p{L}'’-]{1,30}){0,2}/gu,
];

/** Between a street part and a postal code: separators and at most three words (a town, a district). */
const STREET_TO_POSTCODE = /^[\s,;]{0,4}(?:[\p{L}'’.-]{1,30}[\s,;]{1,4}){0,3}$/u;

/** Ends of the street spans, ascending, so each postal code looks only at the spans ending just before it. */
function sortedEnds(spans: readonly Span[], parts: number): Float64Array {
  return Float64Array.from(spans.slice(0, parts), (x) => x.end).sort();
}

/** First index of sorted `xs` whose value is >= x. */
function lowerBound(xs: Float64Array, x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((xs[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A street span ends at most `within` characters before `start`, and what lies between passes `gap`.
 * Binary search over the sorted ends: linear-logarithmic in the number of spans, where comparing each
 * postal code with every street span was quadratic on a text of many addresses.
 */
function streetBefore(
  ends: Float64Array,
  text: string,
  start: number,
  within: number,
  gap: RegExp | null,
): boolean {
  for (let k = lowerBound(ends, start - within); k < ends.length; k++) {
    const end = ends[k] as number;
    if (end > start) break;
    if (gap === null || gap.test(text.slice(end, start))) return true;
  }
  return false;
}

/**
 * The patterns whose every match begins with a digit that no digit precedes (`\b\d`, or a
 * look-behind that ends in a blank): on texts full of numbers (tables, code) they are tried only at
 * those positions (matchAllAt), each a sticky copy compiled here once.
 */
const AT_NUMBER: ReadonlyMap<RegExp, RegExp> = new Map(
  [NUMBER_AFTER_SPACE, PATTERNS[1] as RegExp, PATTERNS[2] as RegExp].map((re) => [
    re,
    new RegExp(re.source, `${re.flags.replace('g', '')}y`),
  ]),
);

/** Start offsets of the runs of ASCII digits. */
function numberStarts(text: string): number[] {
  const out: number[] = [];
  let prevDigit = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const digit = c >= 48 && c <= 57;
    if (digit && !prevDigit) out.push(i);
    prevDigit = digit;
  }
  return out;
}

const matches = (re: RegExp, text: string, starts: readonly number[]): RegExpExecArray[] => {
  const sticky = AT_NUMBER.get(re);
  return sticky === undefined ? matchAll(re, text) : matchAllAt(sticky, text, starts);
};

export function findAddresses(text: string): Span[] {
  const spans: Span[] = [];
  // Every pattern but SHIP, every postal code and the postal line needs an ASCII digit (`\d`, even
  // with the u flag): prose without one (most prompts) tries only SHIP, with the same result.
  if (!DIGIT.test(text)) {
    SHIP.lastIndex = 0;
    for (const m of matchAll(SHIP, text)) {
      const lead = m[0].length - m[0].trimStart().length;
      spans.push({ start: m.index + lead, end: m.index + m[0].trimEnd().length });
    }
    return spans;
  }
  const starts = numberStarts(text);
  for (const m of matches(NUMBER_AFTER_SPACE, text, starts)) {
    const before = WORD_BEFORE.exec(text.slice(Math.max(0, m.index - 46), m.index));
    if (before !== null && STREET_SUFFIX.test(before[0]))
      spans.push({ start: m.index - before[0].length, end: m.index + m[0].length });
  }
  for (const re of PATTERNS) {
    re.lastIndex = 0;
    for (const m of matches(re, text, starts)) {
      const lead = m[0].length - m[0].trimStart().length;
      spans.push({ start: m.index + lead, end: m.index + m[0].trimEnd().length });
    }
  }
  const ends = sortedEnds(spans, spans.length);
  for (const re of POSTCODES) {
    re.lastIndex = 0;
    for (const m of matchAll(re, text)) {
      const lead = m[0].length - m[0].trimStart().length;
      const start = m.index + lead;
      if (streetBefore(ends, text, start, 60, STREET_TO_POSTCODE))
        spans.push({ start, end: m.index + m[0].trimEnd().length });
    }
  }
  // Only the street spans (`ends`), not the postal codes or lines pushed after them.
  for (const m of matchAll(POSTAL_LINE, text)) {
    if (!streetBefore(ends, text, m.index + 1, POSTAL_CONTEXT_CHARS + 1, null)) continue;
    const lead = m[0].length - m[0].trimStart().length;
    spans.push({ start: m.index + lead, end: m.index + m[0].trimEnd().length });
  }
  return spans;
}
