import { describe, expect, it } from 'vitest';
import { createPiiDetector } from '../../../src/guard/detectors/pii.js';
import { scan } from './helpers.js';

// Every example here was written for this file (none is a row of the dev or any evaluation set).
const detector = createPiiDetector({ entities: ['DRIVER_LICENSE'], names: 'lexicon' });
const licences = (text: string): string[] =>
  scan(detector, text)
    .filter((f) => f.type === 'DRIVER_LICENSE' && f.span !== null)
    .map((f) => text.slice(f.span!.start, f.span!.end));

describe("driver's licence numbers, only after a licence word", () => {
  it.each([
    ['UK DVLA', 'Driving licence number: MORGA753116SM9IJ', 'MORGA753116SM9IJ'],
    ['California', "My driver's license is B4827316.", 'B4827316'],
    ['Florida', 'DL# S530-721-64-218-0 on file', 'S530-721-64-218-0'],
    ['New York', 'driver license no. 492 118 307', '492 118 307'],
    ['Washington', "driver's licence WDLAB12CD345", 'WDLAB12CD345'],
    ['Germany', 'Führerscheinnummer: B072RRE2I55', 'B072RRE2I55'],
    ['Poland', 'Moje prawo jazdy nr 01234/19/1465', '01234/19/1465'],
  ])('%s', (_what, text, value) => {
    expect(licences(text)).toContain(value);
  });

  it.each([
    'Order B4827316 shipped today.',
    'Part number MORGA753116SM9IJ is out of stock.',
    'Call 492 118 307 for the desk.',
    "My driver's license expires in 2027.",
    "Renew your driver's license at the office.",
  ])('no licence in %j', (text) => {
    expect(licences(text)).toEqual([]);
  });
});
