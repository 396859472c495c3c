import { describe, expect, it } from 'vitest';
import { createRedactionMap, redactSpans } from '../../../src/guard/redact.js';
import { createOutputScanner } from '../../../src/guard/scan-output.js';

describe('output scanner API', () => {
  const out = createOutputScanner();

  it('finds PII and secrets in model output and redacts by action', () => {
    const text = 'Sure: mail bob@example.org, key ghp_7fQk2LmN9pRs4TuVw6XyZ1aBcDeFgHiJkL0m.';
    const types = out.scan(text).findings.map((f) => f.type);
    expect(types).toEqual(expect.arrayContaining(['EMAIL', 'GITHUB_TOKEN']));
    expect(out.redact(text, (t) => (t === 'EMAIL' ? 'redact' : 'allow'))).toBe(
      'Sure: mail [EMAIL_1], key ghp_7fQk2LmN9pRs4TuVw6XyZ1aBcDeFgHiJkL0m.',
    );
  });

  it('restores input placeholders, whole and streamed', () => {
    const map = createRedactionMap();
    const sent = redactSpans('call ana@example.org', [{ span: { start: 5, end: 20 }, type: 'EMAIL' }], map);
    expect(sent).toBe('call [EMAIL_1]');
    expect(out.restore('I will write to [EMAIL_1].', map)).toBe('I will write to ana@example.org.');
    expect(out.restore('[EMAIL_1]', undefined)).toBe('[EMAIL_1]');
    const r = out.streamRestorer(map);
    expect(r.push('to [EMA') + r.push('IL_1] ok') + r.end()).toBe('to ana@example.org ok');
  });
});
