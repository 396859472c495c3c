/**
 * Payment card numbers: a Luhn-valid PAN of a length its issuer uses, under an issuer identification
 * number (IIN) range that is assigned. Lengths and ranges are the networks' published ones (ISO/IEC
 * 7812 numbering; Visa, Mastercard, American Express, Discover/Diners, JCB, UnionPay, Maestro, Mir,
 * RuPay, Verve, Troy, UATP). A Luhn-valid string outside every range or at a length its network
 * never issues (an order number, a tracking id) is not a card.
 */
import { luhn } from './pii-validate.js';

interface Issuer {
  readonly name: string;
  /** Inclusive prefix ranges, compared on the same number of leading digits as `lo`. */
  readonly ranges: ReadonlyArray<readonly [lo: string, hi: string]>;
  readonly lengths: readonly number[];
}

const span = (lo: number, hi: number): readonly number[] =>
  Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);

const ISSUERS: readonly Issuer[] = [
  { name: 'visa', ranges: [['4', '4']], lengths: [13, 16, 19] },
  {
    name: 'mastercard',
    ranges: [
      ['51', '55'],
      ['2221', '2720'],
    ],
    lengths: [16],
  },
  {
    name: 'amex',
    ranges: [
      ['34', '34'],
      ['37', '37'],
    ],
    lengths: [15],
  },
  {
    name: 'discover',
    ranges: [
      ['6011', '6011'],
      ['644', '649'],
      ['65', '65'],
      ['622126', '622925'],
    ],
    lengths: span(16, 19),
  },
  {
    name: 'diners',
    ranges: [
      ['300', '305'],
      ['3095', '3095'],
      ['36', '36'],
      ['38', '39'],
    ],
    lengths: span(14, 19),
  },
  { name: 'jcb', ranges: [['3528', '3589']], lengths: span(16, 19) },
  // JCB's older 15-digit numbers.
  {
    name: 'jcb15',
    ranges: [
      ['1800', '1800'],
      ['2131', '2131'],
    ],
    lengths: [15],
  },
  {
    name: 'unionpay',
    ranges: [
      ['62', '62'],
      ['81', '81'],
    ],
    lengths: span(16, 19),
  },
  // Maestro is the network that issues 12-digit numbers.
  {
    name: 'maestro',
    ranges: [
      ['50', '50'],
      ['56', '69'],
    ],
    lengths: span(12, 19),
  },
  { name: 'mir', ranges: [['2200', '2204']], lengths: span(16, 19) },
  {
    name: 'rupay',
    ranges: [
      ['60', '60'],
      ['65', '65'],
      ['81', '82'],
      ['508', '508'],
      ['353', '353'],
      ['356', '356'],
    ],
    lengths: [16],
  },
  {
    name: 'verve',
    ranges: [
      ['506099', '506198'],
      ['650002', '650027'],
      ['507865', '507964'],
    ],
    lengths: [16, 18, 19],
  },
  { name: 'troy', ranges: [['9792', '9792']], lengths: [16] },
  { name: 'uatp', ranges: [['1', '1']], lengths: [15] },
];

/** The network whose IIN range and length fit `digits`, or null. */
export function cardIssuer(digits: string): string | null {
  for (const issuer of ISSUERS) {
    if (!issuer.lengths.includes(digits.length)) continue;
    for (const [lo, hi] of issuer.ranges) {
      const p = digits.slice(0, lo.length);
      if (p >= lo && p <= hi) return issuer.name;
    }
  }
  return null;
}

/** Shortest and longest PAN any network issues. */
export const CARD_MIN_DIGITS = 12;
export const CARD_MAX_DIGITS = 19;

/** A card number: 12-19 digits, not one digit repeated, Luhn-valid, under an issuer's range and length. */
export function cardValid(digits: string): boolean {
  return (
    digits.length >= CARD_MIN_DIGITS &&
    digits.length <= CARD_MAX_DIGITS &&
    !/^(\d)\1+$/.test(digits) &&
    luhn(digits) &&
    cardIssuer(digits) !== null
  );
}
