/**
 * Phone numbers: libphonenumber-js validates what the text alone does not settle, with a bounded
 * number of validations per request (issue 10). A candidate is a PHONE when it is written the
 * international way (`+`, `00`, a bracketed area code, with 9+ digits), when it is written the national
 * way of the many countries that dial a trunk `0` ("020 7946 0958", "06 12 34 56 78": 10–11 digits in
 * groups), when the text around it says so ("call", "tel", "office" ...), or when libphonenumber
 * accepts it as a number of one of the configured regions (`guard.pii.phoneRegions`, default US: the
 * region hint for local formats such as "512 345 678" in Poland).
 *
 * libphonenumber costs 20–70 µs per call (it compiles its patterns per call and tries every NANPA
 * country in turn), so a message of ~1,600 bare 10-digit numbers (what 8,192 input tokens hold)
 * used to cost 40–110 ms. Hence, without changing any result below the cap:
 * - validation runs only when neither the shape nor the context already decided (it can only add);
 * - each distinct candidate is validated once per request (`ScanBudget.phoneValid`);
 * - at most `PHONE_VALIDATIONS_PER_REQUEST` validations run per request; past that, a remaining bare
 *   candidate of 10–17 digits is reported as PHONE unvalidated (fail closed: never silently passed).
 */
import { type CountryCode, isSupportedCountry, isValidPhoneNumber } from 'libphonenumber-js';
import { matchAll } from '../match-all.js';
import type { ScanBudget, Span } from '../types.js';

/** libphonenumber validations per request: ~1.5–4.5 ms of CPU at most. */
export const PHONE_VALIDATIONS_PER_REQUEST = 64;

export function createScanBudget(): ScanBudget {
  return { phoneValidations: PHONE_VALIDATIONS_PER_REQUEST, phoneValid: new Map() };
}

const PHONE =
  /(?<![\w+])(?:\+\d{1,3}[\s.-]?|00\d{1,3}[\s.-]?|001-)?(?:\(\d{1,5}\)[\s.-]?)?\d{2,5}(?:[\s.-]\d{2,8}){0,4}(?:\s?(?:x|ext\.?)\s?\d{1,6})?(?![\w])/g;
const PHONE_CONTEXT_BEFORE =
  /(?:phone|tel|telephone|mobile|cell|fax|call|reach|answering|contact|whatsapp|sms|text|dial|ring|number)[^\n\d]{0,25}$/i;
const PHONE_CONTEXT_AFTER = /^[\s-]{0,3}(?:office|fax|mobile|cell|home|work|phone|tel)/i;
const DATE_LIKE = /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$/;
const FORMATTED = /^\+|^\(\d{1,5}\)|^00\d/;
/** A national number after a trunk 0, in groups: "020 7946 0958", "030 1234 5678", "06 12 34 56 78". */
const TRUNK_GROUPED = /^0\d{1,4}(?:[ ./-]\d{2,8}){1,4}$/;

/** The region hint: libphonenumber validates bare numbers as numbers of these regions, in order. */
export const DEFAULT_PHONE_REGIONS: readonly CountryCode[] = ['US'];

/** Checks configured region codes once, at start-up (an unknown code would make every validation throw). */
export function phoneRegions(codes: readonly string[]): readonly CountryCode[] {
  for (const c of codes) if (!isSupportedCountry(c)) throw new Error(`unknown phone region ${c}`);
  return codes as readonly CountryCode[];
}
const EXTENSION = /\s?(?:x|ext\.?)\s?\d+$/;

/**
 * Whether libphonenumber accepts `main` (a candidate without its extension) as a US number. Only bare
 * candidates get here: a `+`, `00` or `(` start with 10+ digits is decided by its shape, so the old
 * second try (`+` numbers as international) cannot apply. The cache key is `main` itself, not its
 * digits: libphonenumber reads "212 555 1234" and "212\n555 1234" differently.
 */
function validated(main: string, budget: ScanBudget, regions: readonly CountryCode[]): boolean {
  const known = budget.phoneValid.get(main);
  if (known !== undefined) return known;
  let valid = false;
  for (const region of regions) {
    // Out of budget: fail closed, the candidate counts as a phone number.
    if (budget.phoneValidations <= 0) return true;
    budget.phoneValidations--;
    valid = isValidPhoneNumber(main, region);
    if (valid) break;
  }
  budget.phoneValid.set(main, valid);
  return valid;
}

export function findPhones(
  text: string,
  budget: ScanBudget,
  regions: readonly CountryCode[] = DEFAULT_PHONE_REGIONS,
): Span[] {
  const spans: Span[] = [];
  for (const m of matchAll(PHONE, text)) {
    const raw = m[0];
    const digits = raw.replace(/\D/g, '');
    if (digits.length < 6 || digits.length > 17 || DATE_LIKE.test(raw)) continue;
    const end = m.index + raw.length;
    const span = { start: m.index, end };
    if (FORMATTED.test(raw) && digits.length >= 9) {
      spans.push(span);
      continue;
    }
    const context =
      PHONE_CONTEXT_BEFORE.test(text.slice(Math.max(0, m.index - 40), m.index)) ||
      PHONE_CONTEXT_AFTER.test(text.slice(end, end + 12));
    if (context) {
      spans.push(span);
      continue;
    }
    const main = raw.replace(EXTENSION, '');
    if ((digits.length === 10 || digits.length === 11) && TRUNK_GROUPED.test(main)) {
      spans.push(span);
      continue;
    }
    // Nine digits in groups can be a whole number only in a region other than the US ("512 345 678").
    if (digits.length < 9) continue;
    if (digits.length === 9 && (!/[\s.-]/.test(main) || regions.every((r) => r === 'US'))) continue;
    if (validated(main, budget, regions)) spans.push(span);
  }
  return spans;
}
