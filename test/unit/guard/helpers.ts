import { scanText } from '../../../src/guard/engine.js';
import type { Detector, Finding, SegmentKind } from '../../../src/guard/types.js';

/** Findings of `detector` on `text` through the engine (sanitising, folding, decoded views). */
export function scan(detector: Detector, text: string, kind: SegmentKind = 'user'): Finding[] {
  return scanText(text, kind, [detector]).findings;
}

export function maxScore(findings: readonly Finding[]): number {
  return findings.reduce((m, f) => Math.max(m, f.score), 0);
}
