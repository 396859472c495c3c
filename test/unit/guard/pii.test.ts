import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../../../src/config/load.js';
import { createPiiDetector, PII_ENTITIES } from '../../../src/guard/detectors/pii.js';
import { loadNameLexicon } from '../../../src/guard/detectors/pii-names.js';
import { ibanValid, luhn, ssnValid } from '../../../src/guard/detectors/pii-validate.js';
import { scan } from './helpers.js';

const detector = createPiiDetector({ entities: PII_ENTITIES, names: 'lexicon' });
const types = (text: string): string[] => scan(detector, text).map((f) => f.type);
const values = (text: string, type: string): string[] => {
  return scan(detector, text)
    .filter((f) => f.type === type && f.span !== null)
    .map((f) => text.slice(f.span!.start, f.span!.end));
};

describe('PII validators', () => {
  it('Luhn, mod-97 and SSN ranges', () => {
    expect(luhn('4111111111111111')).toBe(true);
    expect(luhn('4111111111111112')).toBe(false);
    expect(ibanValid('GB82WEST12345698765432')).toBe(true);
    expect(ibanValid('GB82WEST12345698765433')).toBe(false);
    expect(ssnValid('536', '32', '3065')).toBe(true);
    expect(ssnValid('666', '32', '3065')).toBe(false);
    expect(ssnValid('123', '00', '3065')).toBe(false);
  });
});

describe('PII detector', () => {
  it('finds validated identifiers', () => {
    expect(values('write to jane.doe@example.org today', 'EMAIL')).toEqual(['jane.doe@example.org']);
    expect(values('card 4111 1111 1111 1111 exp 12/29', 'CREDIT_CARD')).toEqual(['4111 1111 1111 1111']);
    expect(values('IBAN GB82 WEST 1234 5698 7654 32 please', 'IBAN')).toEqual([
      'GB82 WEST 1234 5698 7654 32',
    ]);
    expect(values("Here's my SSN: 536-32-3065", 'US_SSN')).toEqual(['536-32-3065']);
    expect(values('call me at +1 415-555-2671 tomorrow', 'PHONE')).toEqual(['+1 415-555-2671']);
    expect(values('server 203.0.113.7 and fe80::1ff:fe23:4567:890a', 'IP_ADDRESS')).toHaveLength(2);
  });

  it('rejects shapes that fail validation', () => {
    expect(types('card 4111 1111 1111 1112')).not.toContain('CREDIT_CARD');
    expect(types('IBAN GB82WEST12345698765433')).not.toContain('IBAN');
    expect(types('ticket 666-12-3456')).not.toContain('US_SSN');
    expect(types('order 2014-02-13 09:33:20 shipped')).toEqual([]);
  });

  it('finds names and addresses by lexicon and context', () => {
    expect(values('My name is Lori Godina but everyone calls me Ingrid', 'PERSON')).toContain('Lori Godina');
    expect(values('Hello, this is Mr. David Hrůza. Who are you?', 'PERSON')).toContain('David Hrůza');
    expect(types('The office is at 1600 Pennsylvania Avenue, Washington DC')).toContain('ADDRESS');
    expect(types('Apt. 617, 21 Baker Street')).toContain('ADDRESS');
  });

  it('reads the name lexicon from the shipped word lists (data/lexicon/), and refuses the removed nlp mode', () => {
    const lex = loadNameLexicon();
    // Sizes of the lists: compromise 14.17.0 (scripts/lexicon-from-compromise.mjs) plus the curated
    // given names; @faker-js/faker 10.6.0's locales (scripts/lexicon-from-faker.mjs) for the world lists.
    expect([lex.first.size, lex.firstWorld.size, lex.last.size, lex.places.size]).toEqual([
      3287, 13214, 15449, 1308,
    ]);
    expect(lex.first.has('ingrid') && lex.last.has('garcia') && lex.places.has('costa rica')).toBe(true);
    expect(lex.first.has('guðrún') && lex.firstWorld.has('małgorzata') && lex.last.has('kowalczyk')).toBe(
      true,
    );
    const yaml = (names: string) =>
      `server: { allowPlaintext: true }\nguard: { pii: { names: ${names} } }\nroutes: []\n`;
    expect(parseConfigText(yaml('lexicon')).guard.pii.names).toBe('lexicon');
    expect(() => parseConfigText(yaml('nlp'))).toThrow(ConfigError);
    expect(() => parseConfigText(yaml('nlp'))).toThrow(/"nlp" was removed/);
  });

  it.each([
    ['PHONE', 'My phone number is 07911 123456'],
    ['PHONE', 'office +44 20 7946 0958'],
    ['PHONE', 'Call me at (415) 555-0132'],
    ['PERSON', 'Patient Maria Garcia was admitted on 3 May.'],
    ['ADDRESS', 'Ship to 1234 Elm St, Springfield, IL 62704'],
    ['ADDRESS', 'Send it to 42 Wallaby Way, Sydney NSW 2000'],
  ])('finds %s in "%s"', (type, text) => expect(types(text)).toContain(type));

  it.each([
    'The meeting is at 10:30 in room 4B.',
    'Version 2.14.3 was released in 2023.',
    'We sold 1,234,567 units in Q3 2024.',
    'Apple released the iPhone in 2007.',
    'Order #123456789 shipped',
  ])('finds nothing in "%s"', (text) => expect(types(text)).toEqual([]));

  it('leaves places and ordinary text alone', () => {
    expect(types("I'm originally from Sri Lanka")).toEqual([]);
    expect(types('She moved here from Bosnia and Herzegovina')).toEqual([]);
    expect(types('The quick brown fox jumps over the lazy dog.')).toEqual([]);
  });

  it('sees through zero-width characters and base64 wrapping', () => {
    expect(types('mail jane\u200b.doe@exam\u200bple.org')).toContain('EMAIL');
    const wrapped = Buffer.from('my card is 4111 1111 1111 1111').toString('base64');
    const f = scan(detector, `data: ${wrapped}`);
    expect(f.some((x) => x.type === 'CREDIT_CARD' && x.via === 'base64')).toBe(true);
  });

  it('runs in linear time on a long run without separators (no quadratic email scan)', () => {
    const text = `${'a'.repeat(100_000)}@`;
    expect(types(text)).toEqual([]);
  });
});

describe('PII detector cost', () => {
  it.each([
    ['digits', '1'.repeat(100_000)],
    ['spaced digits', '1 '.repeat(50_000)],
    ['capitals', 'A '.repeat(50_000)],
    ['letters', 'x'.repeat(100_000)],
    ['address', `address:${' '.repeat(100_000)}`],
    ['streets and postal codes', 'Via Roma 10, 00184 Roma, SW1A 1AA\n'.repeat(3_000)],
    ['firms', 'Smith & Jones, Brown and Green & '.repeat(3_000)],
    ['name cues', 'my name is anna Regards,\nDr. '.repeat(3_000)],
    ['licence words', "driver's license DL# ".repeat(5_000)],
  ])('finishes on a 100k adversarial input: %s', (_name, text) => {
    expect(Array.isArray(scan(detector, text))).toBe(true);
  });
});
