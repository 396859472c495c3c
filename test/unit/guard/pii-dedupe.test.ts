import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dedupeFindings } from '../../../src/guard/detectors/pii-dedupe.js';
import type { Finding } from '../../../src/guard/types.js';
import { quadraticDedupe } from './pii-dedupe-reference.js';

const SCORES = [0.7, 0.8, 0.85, 0.9, 0.95, 0.97];
const TYPES = ['EMAIL', 'PHONE', 'CREDIT_CARD', 'PERSON', 'ADDRESS'];

/** Findings with non-empty spans over a short text, so that overlaps, ties and nesting are frequent. */
const findings = (maxStart: number, maxLen: number) =>
  fc.array(
    fc
      .record({
        start: fc.integer({ min: 0, max: maxStart }),
        len: fc.integer({ min: 1, max: maxLen }),
        score: fc.constantFrom(...SCORES),
        type: fc.constantFrom(...TYPES),
      })
      .map(
        ({ start, len, score, type }): Finding => ({
          detector: 'pii',
          type,
          score,
          span: { start, end: start + len },
        }),
      ),
    { maxLength: 200 },
  );

describe('PII dedupe (n log n) keeps exactly what the quadratic pass kept', () => {
  it('same findings, same objects, same order, on random overlapping findings', () => {
    for (const [maxStart, maxLen] of [
      [40, 8],
      [300, 40],
      [2_000, 5],
    ] as const) {
      fc.assert(
        fc.property(findings(maxStart, maxLen), (fs) => {
          const got = dedupeFindings(fs);
          const want = quadraticDedupe(fs);
          expect(got).toHaveLength(want.length);
          got.forEach((f, i) => {
            expect(f).toBe(want[i]);
          });
        }),
        { numRuns: 300 },
      );
    }
  });

  it('a higher score wins over a longer span, a longer span over an earlier one, and ties keep the first', () => {
    const f = (type: string, score: number, start: number, end: number): Finding => ({
      detector: 'pii',
      type,
      score,
      span: { start, end },
    });
    const card = f('CREDIT_CARD', 0.95, 10, 29);
    const phone = f('PHONE', 0.8, 5, 40);
    const name = f('PERSON', 0.7, 0, 4);
    const a = f('ADDRESS', 0.7, 50, 60);
    const b = f('PERSON', 0.7, 55, 65);
    expect(dedupeFindings([phone, name, card, b, a])).toEqual([name, card, b]);
    const adjacent = [f('EMAIL', 0.95, 0, 5), f('EMAIL', 0.95, 5, 9)];
    expect(dedupeFindings(adjacent)).toEqual(adjacent);
    expect(dedupeFindings([])).toEqual([]);
  });
});
