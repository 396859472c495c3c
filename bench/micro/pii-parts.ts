/**
 * CPU cost of each part of the PII detector (names, addresses, licences, phones) and of the whole
 * detector, called directly (no engine normalisation), on the mixed prompt of bench/detectors.ts
 * (bench/lib/detector-prompt.ts, ~1,000 tokens), in ms per call: 1,000 calls after 300 warm-up. Run:
 *
 *   node --import tsx bench/micro/pii-parts.ts
 */

import { createPiiDetector, PII_ENTITIES } from '../../src/guard/detectors/pii.js';
import { findAddresses } from '../../src/guard/detectors/pii-address.js';
import { findDriverLicences } from '../../src/guard/detectors/pii-licence.js';
import { findPersons, loadNameLexicon } from '../../src/guard/detectors/pii-names.js';
import { createScanBudget, findPhones } from '../../src/guard/detectors/pii-phone.js';
import { DETECTOR_PROMPT } from '../lib/detector-prompt.js';

const prompt = DETECTOR_PROMPT;
const lex = loadNameLexicon();
const det = createPiiDetector({ entities: PII_ENTITIES, names: 'lexicon' });
const fns: Record<string, () => unknown> = {
  persons: () => findPersons(prompt, lex),
  addresses: () => findAddresses(prompt),
  licences: () => findDriverLicences(prompt),
  phones: () => findPhones(prompt, createScanBudget()),
  all: () => det.detect({ text: prompt, kind: 'user' } as never),
};
for (const [k, f] of Object.entries(fns)) {
  for (let i = 0; i < 300; i++) f();
  const t = process.cpuUsage();
  for (let i = 0; i < 1000; i++) f();
  const u = process.cpuUsage(t);
  console.log(k, ((u.user + u.system) / 1000 / 1000).toFixed(3), 'ms');
}
