/**
 * The ~1,000-token prompt of bench/detectors.ts and bench/ab-detectors.ts: instructions, prose, a
 * table, code, an e-mail and numbers.
 */
import { countTokens } from 'gpt-tokenizer';

// A realistic mixed prompt: instructions, prose, a table, code, an e-mail and numbers, ~1,000 tokens.
const PARAGRAPHS = [
  'You are helping our support team answer a customer. Read the ticket history below and draft a polite reply that explains the refund policy, the expected timeline and the next steps.',
  'Ticket 48213, opened on 2024-03-14 by a customer in Lisbon: the order arrived damaged, the box was crushed and two of the six glasses were broken. The customer attached photos and asked whether they should return the whole set or only the broken items.',
  'Our policy: damaged goods are refunded in full within 14 days of the report; the customer does not need to return broken glass. A replacement can be shipped instead of a refund if stock allows. Shipping costs are never charged for damaged deliveries.',
  '| item | qty | unit price | status |\n| wine glass 35cl | 6 | 8.50 | 2 broken |\n| decanter 1l | 1 | 24.00 | ok |\n| gift box | 1 | 3.00 | crushed |',
  'Previous agent note: customer is polite, prefers e-mail, contact ana.ferreira@example.com; do not call after 6pm local time. The order total was 78.00 EUR including VAT, paid by card ending 4242.',
  'function refundAmount(items) {\n  return items.filter((i) => i.status !== "ok").reduce((s, i) => s + i.qty * i.unitPrice, 0);\n}',
  'Please keep the answer under 150 words, avoid legal language, thank the customer for the photos, and mention that the replacement ships within three working days if they prefer it.',
];
let text = '';
while (countTokens(text) < 1_000)
  text += `${PARAGRAPHS[Math.floor(text.length / 97) % PARAGRAPHS.length]}\n\n`;
export const DETECTOR_PROMPT = text;
