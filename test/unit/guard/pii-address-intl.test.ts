import { describe, expect, it } from 'vitest';
import { createPiiDetector } from '../../../src/guard/detectors/pii.js';
import { scan } from './helpers.js';

// Every example here was written for this file (none is a row of the dev or any evaluation set).
const detector = createPiiDetector({ entities: ['ADDRESS'], names: 'lexicon' });
const addresses = (text: string): string[] =>
  scan(detector, text)
    .filter((f) => f.type === 'ADDRESS' && f.span !== null)
    .map((f) => text.slice(f.span!.start, f.span!.end));

describe('addresses beyond the US: street and number, postal code and town', () => {
  it.each([
    ['Germany', 'Bitte an Torstraße 45, 10119 Berlin schicken.', ['Torstraße 45', '10119 Berlin']],
    ['Switzerland', 'Wohnt in der Bahnhofstrasse 3, CH-8001 Zürich', ['Bahnhofstrasse 3', 'CH-8001 Zürich']],
    ['Poland', 'Adres: ul. Długa 5/7, 00-238 Warszawa', ['ul. Długa 5/7', '00-238 Warszawa']],
    ['Portugal', 'Morada: Rua Augusta 25, 1100-048 Lisboa', ['Rua Augusta 25', '1100-048 Lisboa']],
    ['Netherlands', 'Kalverstraat 92, 1012 PH Amsterdam', ['Kalverstraat 92', '1012 PH Amsterdam']],
    ['Sweden', 'Drottninggatan 5, 111 51 Stockholm', ['Drottninggatan 5', '111 51 Stockholm']],
    ['Italy', 'Spedire a Via Roma 10, 00184 Roma', ['Via Roma 10', '00184 Roma']],
    ['Spain', 'Vivo en Calle Mayor 5, 28013 Madrid', ['Calle Mayor 5', '28013 Madrid']],
    ['Iceland', 'Heimilisfang: Laugavegur 26, 101 Reykjavík', ['Laugavegur 26', '101 Reykjavík']],
    ['Hungary', 'Címem: Andrássy út 60, 1062 Budapest', ['Andrássy út 60', '1062 Budapest']],
    ['Hungary, abbreviated', 'Küldje ide: Petőfi u. 12., Szeged', ['Petőfi u. 12.']],
    ['United Kingdom', 'Office: 221B Baker Street, London NW1 6XE', ['221B Baker Street', 'NW1 6XE']],
    ['Canada', '500 Sussex Drive, Ottawa, ON K1M 1M4', ['500 Sussex Drive', 'K1M 1M4']],
  ])('%s', (_country, text, parts) => {
    const found = addresses(text);
    for (const p of parts) expect(found).toContain(p);
  });

  it.each([
    'My zip code is 90210',
    'The postcode SW1A 1AA covers a palace.',
    'The 10115 Berlin district is central.',
    'K1M 1M4 is a Canadian postcode.',
    'Send it via email within 24 hours.',
    'We sent it via DHL 2 days ago and via Slack 3 times.',
    'Revenue 12345, up from 11800.',
  ])('a bare postal code or a number is not an address: %j', (text) => {
    expect(addresses(text)).toEqual([]);
  });
});
