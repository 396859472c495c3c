import { describe, expect, it } from 'vitest';
import { createPiiDetector } from '../../../src/guard/detectors/pii.js';
import { scan } from './helpers.js';

// Every example here was written for this file (none is a row of the dev or any evaluation set).
const detector = createPiiDetector({ entities: ['PERSON'], names: 'lexicon' });
const persons = (text: string): string[] =>
  scan(detector, text)
    .filter((f) => f.type === 'PERSON' && f.span !== null)
    .map((f) => text.slice(f.span!.start, f.span!.end));

describe('person names beyond English', () => {
  it.each([
    ['Polish, with an honorific', 'Pani Katarzyna Nowak przyszła wczoraj.', 'Katarzyna Nowak'],
    ['Polish, alone with diacritics', 'Can you forward this to Małgorzata tomorrow?', 'Małgorzata'],
    ['Polish, sentence start with a surname', 'Grzegorz Wiśniewski signed the lease.', 'Grzegorz Wiśniewski'],
    [
      'Icelandic patronymic',
      'The report was written by Sigríður Jónsdóttir last year.',
      'Sigríður Jónsdóttir',
    ],
    ['Icelandic sign-off', 'Thanks for the help.\nBest regards,\nGuðmundur', 'Guðmundur'],
    ['Portuguese with a particle', 'Fale com o senhor João da Silva amanhã.', 'João da Silva'],
    ['Portuguese, mid-sentence', 'We invited Gonçalo and his sister.', 'Gonçalo'],
    ['Serbian', 'Jovana Petrović called about the invoice.', 'Jovana Petrović'],
    ['Russian, Cyrillic', 'Письмо от Анастасия Кузнецова пришло.', 'Анастасия Кузнецова'],
    ['Czech, introduced', 'Dobrý den, jmenuji se Tomáš Dvořák.', 'Tomáš Dvořák'],
    ['German, Herr', 'Bitte rufen Sie Herr Lehmann zurück.', 'Lehmann'],
    ['Spanish, Sra.', 'La Sra. Fernández llegó tarde.', 'Fernández'],
    ['Dutch, mevrouw', 'Ik sprak met mevrouw De Vries over de huur.', 'De Vries'],
  ])('%s', (_what, text, name) => {
    expect(persons(text)).toContain(name);
  });

  it('finds a lower-case single first name only after a cue', () => {
    expect(persons('hi, my name is ólafur and i need help')).toContain('ólafur');
    expect(persons('i asked for lucía at the desk')).toContain('lucía');
    expect(persons('jestem zofia, potrzebuję pomocy')).toContain('zofia');
    // The same names in lower case without a cue are left alone.
    expect(persons('we used the lucía template and the zofia theme')).toEqual([]);
  });

  it('in all-lower-case text: a given name with a surname, or an honorific with a name', () => {
    expect(persons('please ask dorota kamińska about the rota')).toContain('dorota kamińska');
    expect(persons('dr. henriksen will see you now')).toContain('henriksen');
  });
});

describe('what is not a person', () => {
  it.each([
    'Contact Goldman Sachs or Morgan Stanley about the bond.',
    'Johnson & Johnson and Procter & Gamble reported earnings.',
    'The contract is with Kowalski, Nowak and Wójcik.',
    'Weber GmbH and Garcia LLC merged last year.',
    'Schneider AG bought the site.',
    'Quotes came from Rossi s.r.l., Nowak Sp. z o.o. and Nielsen ApS.',
    'The wine is from Martin et Fils; the tiles from García y Asociados; the tools from Garcia and Sons.',
    'The dinner is at the Lindqvist Hotel.',
    'She flew from Saint Vincent to Fort William.',
    'April was rainy in Virginia and Georgia.',
    'Mercedes and Tesla sell electric cars.',
    'Will you check the build? Mark the ticket as done.',
    'Sole traders pay less. Dante wrote in Tuscan.',
    'The Annual Report covers Revenue, Costs and Outlook.',
    'Christian music and Jordan almonds are on the list.',
    'Ask Claude or Gemini to summarise the German and Canadian reports.',
    'Registrar IANA ID: 146; the META and MAX fields are empty.',
    'The service runs on Fedora with Cassandra and is written in Haskell.',
  ])('no PERSON in %j', (text) => {
    expect(persons(text)).toEqual([]);
  });

  it('an ambiguous word is a person with a surname after it', () => {
    expect(persons('The letter is from Claude Lefebvre.')).toEqual(['Claude Lefebvre']);
  });

  it('a name-shaped company is refused, the person beside it is kept', () => {
    expect(persons('Anna Kowalska works at Wells Fargo.')).toEqual(['Anna Kowalska']);
  });
});
