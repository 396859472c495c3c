/**
 * Driver's licence numbers. Their shapes (a letter and seven digits, nine digits, ...) are shared
 * with order numbers, member ids and part numbers, so a shape counts only within a short distance
 * after a licence word ("driver's license", "DL#", "Führerschein", "permis de conduire", "prawo
 * jazdy"). Shapes, from the issuing authorities' published formats:
 * - UK (DVLA): 5 letters of the surname (padded with 9), 6 digits encoding the birth date (month + 50
 *   for women), 2 initials (padded with 9), a check digit, 2 letters: `MORGA753116SM9IJ`;
 * - US states: 1–2 letters and 4–14 digits, or 7–13 digits, with the usual dashes or spaces (Florida
 *   `S123-456-78-901-0`, Illinois `A123-4567-8901`, New York `123 456 789`, Washington `WDL` + 9
 *   characters), which together cover every state's current format;
 * - Poland: `01234/19/1465`;
 * - elsewhere (EU and others): 5–15 letters and digits with at least 5 digits, after the word.
 * Bounded quantifiers only; the licence words are one regex pass, shapes are tried only after them.
 */
import { matchAll } from '../match-all.js';
import type { Span } from '../types.js';

/** A licence word; the number must start within 40 characters after it. */
const LICENCE_WORD =
  /\b(?:driver['’]?s?\s+licen[cs]e|driving\s+licen[cs]e|licen[cs]e\s+(?:no|number|#)|DL\s*(?:#|no\.?|number)?|DLN|CDL|führerschein(?:nummer)?|fahrerlaubnis|permis\s+de\s+conduire|permiso\s+de\s+conducir|licencia\s+de\s+conducir|carn[eé]t?\s+de\s+conducir|carta\s+de\s+condução|carteira\s+de\s+habilitação|CNH|patente\s+di\s+guida|rijbewijs(?:nummer)?|prawo\s+jazdy|řidičský\s+průkaz|vodičský\s+preukaz|vozačka\s+dozvola|ajokortti|körkort|kørekort|førerkort|ökuskírteini)\b/gi;

const SHAPES: readonly RegExp[] = [
  // UK DVLA.
  /^[A-Z9]{5}\d[0156]\d[0-3]\d\d[A-Z9]{2}\d[A-Z]{2}(?:\s?\d{2})?(?![A-Za-z\d])/,
  // Washington's WDL numbers.
  /^WDL[A-Z0-9]{9}(?![A-Za-z\d])/,
  // US: letters then digits in groups (Florida, Illinois, Wisconsin, Maryland ...).
  /^[A-Z]{1,2}[ -]?\d{3,4}(?:[ -]?\d{1,4}){1,4}(?![A-Za-z\d])/,
  // Poland: number / year / issuing office.
  /^\d{5}\/\d{2}\/\d{4}(?![\d])/,
  /^[A-Z]{1,2}\d{4,14}(?![A-Za-z\d])/,
  // US and others: digits only, 7–13, possibly grouped.
  /^\d{3}[ -]?\d{2,4}[ -]?\d{2,4}(?:[ -]?\d{1,4})?(?![A-Za-z\d])/,
  /^\d{7,13}(?![A-Za-z\d])/,
  // Other countries: 5–15 letters and digits, at least 5 digits.
  /^(?=(?:[A-Z]*\d){5})[A-Z0-9]{5,15}(?![A-Za-z\d])/,
];

/** What may stand between the licence word and the number: "number", "is", ":", "#", "No." ... */
const BRIDGE =
  /^[\s:#.,-]{0,4}(?:(?:number|no|nr|nummer|numéro|número|numero|numer|is|was|:|#|-|ist|est|es|é|è|to|jest)[\s:#.,-]{0,4}){0,3}/iu;

export function findDriverLicences(text: string): Span[] {
  const spans: Span[] = [];
  for (const m of matchAll(LICENCE_WORD, text)) {
    const from = m.index + m[0].length;
    const window = text.slice(from, from + 60);
    const bridge = BRIDGE.exec(window);
    const skip = bridge === null ? 0 : bridge[0].length;
    if (skip > 40) continue;
    const rest = window.slice(skip);
    for (const shape of SHAPES) {
      const s = shape.exec(rest);
      if (s === null) continue;
      spans.push({ start: from + skip, end: from + skip + s[0].length });
      break;
    }
  }
  return spans;
}
