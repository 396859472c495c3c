import { describe, expect, it } from 'vitest';
import { createPiiDetector, PII_ENTITIES } from '../../../src/guard/detectors/pii.js';
import { scanText } from '../../../src/guard/engine.js';
import {
  createRedactionMap,
  createStreamRestorer,
  redactSpans,
  restorePlaceholders,
} from '../../../src/guard/redact.js';

const pii = createPiiDetector({ entities: PII_ENTITIES, names: 'lexicon' });

function redact(
  text: string,
  map = createRedactionMap(),
): { out: string; map: ReturnType<typeof createRedactionMap> } {
  const scan = scanText(text, 'user', [pii]);
  const out = redactSpans(
    scan.text,
    scan.findings
      .filter((f) => f.span !== null && f.type !== 'PERSON')
      .map((f) => ({ span: f.span!, type: f.type })),
    map,
  );
  return { out, map };
}

describe('redaction', () => {
  it('replaces values with typed placeholders and restores them', () => {
    const text =
      'Mail ana@example.org or bob@example.org, card 4111 1111 1111 1111, mail ana@example.org again.';
    const { out, map } = redact(text);
    expect(out).toBe('Mail [EMAIL_1] or [EMAIL_2], card [CREDIT_CARD_1], mail [EMAIL_1] again.');
    expect(out).not.toContain('example.org');
    expect(restorePlaceholders(out, map)).toBe(text);
  });

  it('keeps numbering across segments of one request and leaves unknown placeholders', () => {
    const map = createRedactionMap();
    expect(redact('a@example.org', map).out).toBe('[EMAIL_1]');
    expect(redact('b@example.org and a@example.org', map).out).toBe('[EMAIL_2] and [EMAIL_1]');
    expect(restorePlaceholders('[EMAIL_2], [EMAIL_9]', map)).toBe('b@example.org, [EMAIL_9]');
  });

  it('merges overlapping spans into one placeholder', () => {
    const map = createRedactionMap();
    const out = redactSpans(
      'abcdefgh',
      [
        { span: { start: 1, end: 4 }, type: 'A' },
        { span: { start: 3, end: 6 }, type: 'B' },
      ],
      map,
    );
    expect(out).toBe('a[A_1]gh');
    expect(restorePlaceholders(out, map)).toBe('abcdefgh');
  });

  it('restores placeholders split across stream deltas', () => {
    const { out, map } = redact('write to ana@example.org now');
    const r = createStreamRestorer(map);
    const cut = out.indexOf('[') + 3;
    const streamed =
      r.push(out.slice(0, cut)) + r.push(out.slice(cut, cut + 4)) + r.push(out.slice(cut + 4)) + r.end();
    expect(streamed).toBe('write to ana@example.org now');
    const r2 = createStreamRestorer(map);
    expect(r2.push('an [unclosed bracket') + r2.end()).toBe('an [unclosed bracket');
  });
});
