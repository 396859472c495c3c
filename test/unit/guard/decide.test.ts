import { describe, expect, it } from 'vitest';
import { blockCode, type Decision, firstBlock } from '../../../src/guard/decide.js';
import type { DetectorName, SegmentKind } from '../../../src/guard/types.js';

const block = (detector: DetectorName, kind: SegmentKind = 'user'): Decision => ({
  detector,
  type: 'T',
  score: 1,
  action: 'block',
  kind,
  span: null,
  segment: 0,
});

describe('guard decisions keyed by detector name', () => {
  it.each([
    ['injection', 'user', 'GH_ERR_GUARD_INJECTION'],
    ['injection', 'system', 'GH_ERR_GUARD_INJECTION'],
    ['injection', 'indirect', 'GH_ERR_GUARD_INDIRECT_INJECTION'],
    ['secrets', 'user', 'GH_ERR_GUARD_SECRET'],
    ['pii', 'indirect', 'GH_ERR_GUARD_PII'],
    ['policy', 'user', 'GH_ERR_GUARD_POLICY'],
  ] as const)('a %s block in a %s segment is %s', (detector, kind, code) => {
    expect(blockCode(block(detector, kind))).toBe(code);
  });

  it('names the error after the first blocking detector in the order injection, secrets, pii, policy', () => {
    const flagged: Decision = { ...block('injection'), action: 'flag' };
    expect(firstBlock([block('policy'), block('pii'), block('secrets')])?.detector).toBe('secrets');
    expect(firstBlock([block('policy'), flagged, block('pii')])?.detector).toBe('pii');
    expect(firstBlock([block('pii'), block('injection', 'indirect')])?.kind).toBe('indirect');
    expect(firstBlock([flagged])).toBeNull();
  });
});
