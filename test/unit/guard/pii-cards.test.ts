import { describe, expect, it } from 'vitest';
import { createPiiDetector } from '../../../src/guard/detectors/pii.js';
import { cardIssuer, cardValid } from '../../../src/guard/detectors/pii-cards.js';
import { scan } from './helpers.js';

// Card numbers are built here: an issuer prefix, seeded filler digits, then the Luhn check digit.
function withCheckDigit(body: string): string {
  for (let c = 0; c <= 9; c++) {
    const s = `${body}${c}`;
    let sum = 0;
    for (let i = 0; i < s.length; i++) {
      let d = Number(s[s.length - 1 - i]);
      if (i % 2 === 1) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    if (sum % 10 === 0) return s;
  }
  throw new Error('unreachable');
}
function card(prefix: string, length: number, seed: number): string {
  let x = seed;
  let body = prefix;
  while (body.length < length - 1) {
    x = (x * 48271) % 2147483647;
    body += String(x % 10);
  }
  return withCheckDigit(body);
}

const detector = createPiiDetector({ entities: ['CREDIT_CARD', 'ADDRESS'], names: 'lexicon' });
const types = (text: string): string[] => scan(detector, text).map((f) => f.type);

describe('cards: every network length, Luhn and IIN ranges', () => {
  it.each([
    ['visa', '4', 13],
    ['visa', '4', 16],
    ['visa', '4', 19],
    ['mastercard', '2720', 16],
    ['mastercard', '53', 16],
    ['amex', '37', 15],
    ['discover', '6011', 19],
    ['diners', '36', 14],
    ['jcb', '3566', 16],
    ['jcb15', '2131', 15],
    ['unionpay', '62', 17],
    ['maestro', '6759', 12],
    ['maestro', '50', 18],
    ['mir', '2202', 16],
    ['troy', '9792', 16],
    ['uatp', '1', 15],
  ] as const)('%s %s… of %i digits', (name, prefix, length) => {
    const n = card(prefix, length, length * 31 + prefix.length);
    expect(cardIssuer(n)).toBe(name);
    expect(cardValid(n)).toBe(true);
    expect(types(`card on file: ${n}`)).toContain('CREDIT_CARD');
  });

  it.each([
    ['a Luhn-valid number under no issued range', card('7', 16, 5)],
    ['an Amex prefix at a length Amex never issues', card('34', 16, 6)],
    ['a Visa prefix at 17 digits', card('4', 17, 7)],
    [
      'a Luhn-invalid Visa number',
      `${card('4', 16, 8).slice(0, 15)}${(Number(card('4', 16, 8)[15]) + 1) % 10}`,
    ],
  ])('rejects %s', (_what, n) => {
    expect(cardValid(n)).toBe(false);
    expect(types(`card on file: ${n}`)).not.toContain('CREDIT_CARD');
  });

  it('takes 12 digits without separators under Maestro ranges unless the text calls them another id', () => {
    const n = card('6761', 12, 9);
    expect(types(`Maestro card ${n} expires 09/29`)).toContain('CREDIT_CARD');
    // Bare, with no word around it: a Maestro-range, Luhn-valid 12-digit number is a card.
    expect(types(`use ${n} for this one`)).toContain('CREDIT_CARD');
    expect(types(`Order ${n} shipped on Monday`)).not.toContain('CREDIT_CARD');
    expect(types(`tracking number: ${n}`)).not.toContain('CREDIT_CARD');
    // A card word wins over an id word.
    expect(types(`pay order ${n} with the debit card`)).toContain('CREDIT_CARD');
    const grouped = `${n.slice(0, 4)} ${n.slice(4, 8)} ${n.slice(8)}`;
    expect(types(`debit ${grouped}`)).toContain('CREDIT_CARD');
    // Outside Maestro's ranges, or Luhn-invalid, twelve digits are not a card.
    expect(types(`use ${card('4', 12, 3)} for this one`)).not.toContain('CREDIT_CARD');
    const bad = `${n.slice(0, 11)}${(Number(n[11]) + 1) % 10}`;
    expect(types(`use ${bad} for this one`)).not.toContain('CREDIT_CARD');
  });
});

describe('postal codes need an address around them', () => {
  it.each([
    'Report\nRevenue 12345\nCosts 2345',
    'Where should we meet?\nChicago 60601',
    'Teams\nRed Sox 90210\n',
    'The code 90210 is famous.',
  ])('no address in %j', (text) => {
    expect(types(text)).not.toContain('ADDRESS');
  });

  it('a city and postal-code line under a street line is part of the address', () => {
    const text = 'Ship to:\n17 Larch Avenue\nPortland 97205';
    const spans = scan(detector, text).map((f) => text.slice(f.span!.start, f.span!.end));
    expect(spans).toContain('Portland 97205');
    expect(spans).toContain('17 Larch Avenue');
  });
});
