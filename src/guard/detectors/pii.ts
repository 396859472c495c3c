/**
 * Personal data with validation, not just shape: Luhn for cards, mod-97 for IBAN, issued ranges for
 * US SSNs and UK NINOs, libphonenumber for phones (pii-phone.ts: shape and context first, then a
 * bounded number of validations per request), node:net for IP addresses, lexicon-plus-context for
 * names (pii-names.ts, many languages), structure for addresses (pii-address.ts, many countries), and
 * licence words plus issuers' shapes for driver's licences (pii-licence.ts).
 */
import { isIP } from 'node:net';
import type { PiiEntity } from '../../formats/guard-names.js';
import { matchAll } from '../match-all.js';
import type { Detector, Finding, ScanInput, Span } from '../types.js';
import { findAddresses } from './pii-address.js';
import { cardValid } from './pii-cards.js';
import { dedupeFindings } from './pii-dedupe.js';
import { findDriverLicences } from './pii-licence.js';
import { findPersons, loadNameLexicon } from './pii-names.js';
import { createScanBudget, DEFAULT_PHONE_REGIONS, findPhones, phoneRegions } from './pii-phone.js';
import { ibanLength, ibanValid, ninoValid, ssnValid } from './pii-validate.js';

export { PII_ENTITIES, type PiiEntity } from '../../formats/guard-names.js';

export interface PiiOptions {
  readonly entities: readonly PiiEntity[];
  /** `lexicon`: the shipped name lexicon with context cues (the only mode; `nlp` was removed with compromise). */
  readonly names: 'lexicon';
  /** Region hint for bare national phone numbers (ISO 3166 alpha-2, tried in order); default US. */
  readonly phoneRegions?: readonly string[];
}

const EMAIL_LOCAL = /[A-Za-z0-9._%+'-]/;
const EMAIL_DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)+[A-Za-z]{2,24}/;
const CARD = /(?<![\d-])\d(?:[ -]?\d){11,18}(?![\d])/g;
/**
 * Twelve digits under Maestro's IIN ranges and Luhn-valid are a card unless the text calls them an id
 * of another kind (about 1.5 % of random 12-digit strings pass IIN and Luhn; order and tracking
 * numbers are the usual look-alikes). A card word anywhere near overrides the id words.
 */
const CARD_CONTEXT =
  /\b(?:cards?|maestro|debit|credit|cc|pan|karte|kartennummer|tarjeta|carte|cart[aã]o|karta|kort|kortti|payment|pay|paid|visa|mastercard|cvv|cvc|expiry|exp)\b/i;
const ID_CONTEXT =
  /\b(?:order|invoice|tracking|shipment|parcel|ref|reference|id|account|acct|isbn|ean|upc|gtin|barcode|serial|ticket|booking|confirmation|case|transaction|customer|member|policy|phone|tel|fax)\b[^\n\d]{0,12}$|#\s?$/i;
const IBAN = /(?<![A-Za-z])[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]){11,34}/g;
const SSN = /(?<![\d-])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\d-])/g;
const SSN_CONTEXT = /\b(?:ssn|social\s+security|ss#)/i;
const NINO = /\b([A-CEGHJ-PR-TW-Z]{2}) ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/g;
const IPV4 = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d]|\.\d)/g;

function emails(text: string): Span[] {
  const spans: Span[] = [];
  // Anchored on each '@' and expanded by hand: an unanchored email regex is quadratic on long words.
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let s = at;
    while (s > 0 && at - s < 64 && EMAIL_LOCAL.test(text.charAt(s - 1))) s--;
    if (s === at) continue;
    const dom = EMAIL_DOMAIN.exec(text.slice(at + 1, at + 256));
    if (dom === null) continue;
    spans.push({ start: s, end: at + 1 + dom[0].length });
  }
  return spans;
}

const IPV6_CHAR = /[0-9A-Fa-f:.]/;

/**
 * IPv6 candidates: the run of hex digits, colons and dots around each "::" or each colon that has hex
 * digits on both sides, checked by node:net. Anchored on colons, so prose costs one indexOf per colon.
 */
function ipv6(text: string): Span[] {
  const spans: Span[] = [];
  let after = -1;
  for (let c = text.indexOf(':'); c >= 0; c = text.indexOf(':', c + 1)) {
    if (c < after) continue;
    let s = c;
    let e = c + 1;
    while (s > 0 && c - s < 45 && IPV6_CHAR.test(text.charAt(s - 1))) s--;
    while (e < text.length && e - c < 45 && IPV6_CHAR.test(text.charAt(e))) e++;
    const cand = text.slice(s, e).replace(/^[:.]+|[.]+$/g, (m) => (m.startsWith('::') ? m : ''));
    const start = s + text.slice(s, e).indexOf(cand);
    after = e;
    if (cand.split(':').length >= 3 && isIP(cand) === 6) spans.push({ start, end: start + cand.length });
  }
  return spans;
}

export function createPiiDetector(opts: PiiOptions): Detector {
  const want = new Set<PiiEntity>(opts.entities);
  const lex = want.has('PERSON') ? loadNameLexicon() : null;
  const regions = phoneRegions(opts.phoneRegions ?? DEFAULT_PHONE_REGIONS);

  const detect = ({ text, budget }: ScanInput): Finding[] => {
    const out: Finding[] = [];
    const add = (type: PiiEntity, score: number, span: Span): void => {
      out.push({ detector: 'pii', type, score, span });
    };
    if (want.has('EMAIL')) for (const s of emails(text)) add('EMAIL', 0.95, s);
    if (want.has('CREDIT_CARD')) {
      for (const m of matchAll(CARD, text)) {
        const d = m[0].replace(/\D/g, '');
        if (!cardValid(d)) continue;
        if (d.length === 12) {
          const end = m.index + m[0].length;
          const around = text.slice(Math.max(0, m.index - 60), Math.min(text.length, end + 30));
          const before = text.slice(Math.max(0, m.index - 30), m.index);
          if (!CARD_CONTEXT.test(around) && ID_CONTEXT.test(before)) continue;
        }
        add('CREDIT_CARD', 0.95, { start: m.index, end: m.index + m[0].length });
      }
    }
    if (want.has('IBAN')) {
      for (const m of matchAll(IBAN, text)) {
        const len = ibanLength(m[0].slice(0, 2).toUpperCase());
        if (len === undefined) continue;
        // Take exactly the country's length of characters, skipping the grouping spaces.
        let n = 0;
        let k = 0;
        while (k < m[0].length && n < len) if (m[0][k++] !== ' ') n++;
        const cand = m[0].slice(0, k).replace(/ /g, '').toUpperCase();
        if (cand.length === len && ibanValid(cand)) add('IBAN', 0.97, { start: m.index, end: m.index + k });
      }
    }
    if (want.has('US_SSN')) {
      for (const m of matchAll(SSN, text)) {
        const [, area, , group, serial] = m;
        if (area === undefined || group === undefined || serial === undefined) continue;
        if (!ssnValid(area, group, serial)) continue;
        // Nine bare digits are an SSN only when the text says so.
        if (m[2] === '' && !SSN_CONTEXT.test(text.slice(Math.max(0, m.index - 40), m.index))) continue;
        add('US_SSN', m[2] === '' ? 0.8 : 0.9, { start: m.index, end: m.index + m[0].length });
      }
    }
    if (want.has('UK_NINO')) {
      for (const m of matchAll(NINO, text))
        if (m[1] !== undefined && ninoValid(m[1]))
          add('UK_NINO', 0.85, { start: m.index, end: m.index + m[0].length });
    }
    if (want.has('IP_ADDRESS')) {
      for (const m of matchAll(IPV4, text))
        if (isIP(m[0]) !== 0) add('IP_ADDRESS', 0.85, { start: m.index, end: m.index + m[0].length });
      for (const span of ipv6(text)) add('IP_ADDRESS', 0.85, span);
    }
    if (want.has('PHONE'))
      for (const s of findPhones(text, budget ?? createScanBudget(), regions)) add('PHONE', 0.8, s);
    if (want.has('ADDRESS')) for (const s of findAddresses(text)) add('ADDRESS', 0.7, s);
    if (want.has('DRIVER_LICENSE')) for (const s of findDriverLicences(text)) add('DRIVER_LICENSE', 0.8, s);
    if (lex !== null) for (const s of findPersons(text, lex)) add('PERSON', 0.7, s);
    return dedupeFindings(out);
  };
  return { name: 'pii', detect };
}
