import { isValidPhoneNumber } from 'libphonenumber-js';
import type { Span } from '../../../src/guard/types.js';

/**
 * The PII detector's phone finder before issue 10 (every candidate validated), kept as the reference,
 * with issue 14's national shape added (10–11 digits after a trunk 0, in groups, without validation).
 */
const PHONE =
  /(?<![\w+])(?:\+\d{1,3}[\s.-]?|00\d{1,3}[\s.-]?|001-)?(?:\(\d{1,5}\)[\s.-]?)?\d{2,5}(?:[\s.-]\d{2,8}){0,4}(?:\s?(?:x|ext\.?)\s?\d{1,6})?(?![\w])/g;
const PHONE_CONTEXT_BEFORE =
  /(?:phone|tel|telephone|mobile|cell|fax|call|reach|answering|contact|whatsapp|sms|text|dial|ring|number)[^\n\d]{0,25}$/i;
const PHONE_CONTEXT_AFTER = /^[\s-]{0,3}(?:office|fax|mobile|cell|home|work|phone|tel)/i;
const DATE_LIKE = /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$/;

export function referencePhones(text: string): Span[] {
  const spans: Span[] = [];
  for (const m of text.matchAll(PHONE)) {
    const raw = m[0];
    const digits = raw.replace(/\D/g, '');
    if (digits.length < 6 || digits.length > 17 || DATE_LIKE.test(raw)) continue;
    const end = m.index + raw.length;
    const context =
      PHONE_CONTEXT_BEFORE.test(text.slice(Math.max(0, m.index - 40), m.index)) ||
      PHONE_CONTEXT_AFTER.test(text.slice(end, end + 12));
    const formatted = /^\+|^\(\d{1,5}\)|^00\d/.test(raw) && digits.length >= 9;
    const main = raw.replace(/\s?(?:x|ext\.?)\s?\d+$/, '');
    const valid =
      digits.length >= 10 &&
      (isValidPhoneNumber(main, 'US') || (main.startsWith('+') && isValidPhoneNumber(main)));
    const trunk =
      (digits.length === 10 || digits.length === 11) && /^0\d{1,4}(?:[ ./-]\d{2,8}){1,4}$/.test(main);
    if (valid || formatted || trunk || (context && digits.length >= 6)) spans.push({ start: m.index, end });
  }
  return spans;
}
