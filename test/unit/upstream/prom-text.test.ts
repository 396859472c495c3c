import { describe, expect, it } from 'vitest';
import { readSamples } from '../../../src/upstream/introspect/prom-text.js';

describe('readSamples (Prometheus text exposition)', () => {
  it('keeps only the wanted names, summed over label sets, past comments, timestamps and odd labels', () => {
    const text = [
      '# HELP q queue',
      '# TYPE q gauge',
      'q{model="a b} c",x="1"} 2',
      'q{model="d"} 3.5 1733390000000',
      'q_total 100',
      'other 9',
      'q NaN',
      'broken',
      '',
      'r 1e3',
    ].join('\n');
    const out = readSamples(text, new Set(['q', 'r', 'absent']));
    expect(out.get('q')).toBe(5.5);
    expect(out.get('r')).toBe(1_000);
    expect(out.has('q_total')).toBe(false);
    expect(out.has('absent')).toBe(false);
  });
});
