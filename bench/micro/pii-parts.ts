/**
 * CPU cost of each part of the PII detector (names, addresses, licences, phones) and of the whole
 * detector, called directly (no engine normalisation), on the mixed prompt of bench/detectors.ts
 * (its paragraphs, repeated to ~4,400 characters), in ms per call: 1,000 calls after 300 warm-up. Run:
 *
 *   node --import tsx bench/micro/pii-parts.ts
 */

import { createPiiDetector, PII_ENTITIES } from '../../src/guard/detectors/pii.js';
import { findAddresses } from '../../src/guard/detectors/pii-address.js';
import { findDriverLicences } from '../../src/guard/detectors/pii-licence.js';
import { findPersons, loadNameLexicon } from '../../src/guard/detectors/pii-names.js';
import { createScanBudget, findPhones } from '../../src/guard/detectors/pii-phone.js';

const PARAGRAPHS = [
  'You are helping our support team answer a customer. Read the ticket history below and draft a polite reply that explains the refund policy, the expected timeline and the next steps.',
  'Ticket 48213, opened on 2024-03-14 by a customer in Lisbon: the order arrived damaged, the box was crushed and two of the six glasses were broken. The customer attached photos and asked whether they should return the whole set or only the broken items.',
  'Our policy: damaged goods are refunded in full within 14 days of the report; the customer does not need to return broken glass. A replacement can be shipped instead of a refund if stock allows. Shipping costs are never charged for damaged deliveries.',
  '| item | qty | unit price | status |\n| wine glass 35cl | 6 | 8.50 | 2 broken |\n| decanter 1l | 1 | 24.00 | ok |\n| gift box | 1 | 3.00 | crushed |',
  'Previous agent note: customer is polite, prefers e-mail, contact ana.ferreira@example.com; do not call after 6pm local time. The order total was 78.00 EUR including VAT, paid by card ending 4242.',
  'function refundAmount(items) {\n  return items.filter((i) => i.status !== "ok").reduce((s, i) => s + i.qty * i.unitPrice, 0);\n}',
  'Please keep the answer under 150 words, avoid legal language, thank the customer for the photos, and mention that the replacement ships within three working days if they prefer it.',
];
let prompt = '';
while (prompt.length < 4400)
  prompt += `${PARAGRAPHS[Math.floor(prompt.length / 97) % PARAGRAPHS.length]}\n\n`;
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
