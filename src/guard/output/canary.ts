/**
 * The per-request canary: a random marker added to the system prompt. The model has no reason to
 * ever write it, so its appearance in an answer (whole, in fragments of `minFragment` characters,
 * spaced out, reversed or encoded) means the system prompt is being extracted.
 */
import { randomBytes } from 'node:crypto';
import { type CodeMatcher, createCodeMatcher } from './code-match.js';
import { finding, type OutputFinding, type TextDetector } from './types.js';

export interface CanaryOptions {
  readonly bytes: number;
  readonly minFragment: number;
}

/**
 * `GHC.7f3a.9b2c.…`: easy to spot in an incident, and cut in groups of four so that it does not look
 * like a base64 or hex blob to the input guard's decoder (which would otherwise decode every system
 * prompt that carries it).
 */
export function newCanary(bytes: number): string {
  return `GHC.${randomBytes(bytes)
    .toString('hex')
    .replace(/(.{4})(?=.)/g, '$1.')}`;
}

export function createCanaryDetector(marker: string, opts: CanaryOptions): TextDetector {
  const m = createCodeMatcher(marker, { minFragment: opts.minFragment, embedded: true, decoded: true });
  return leakDetector(m!, 'canary', 'CANARY');
}

/** A code matcher as a detector (also used by `eval leak` for access codes). */
export function leakDetector(m: CodeMatcher, name: 'canary', type: string): TextDetector {
  return {
    name,
    scan: ({ raw }): OutputFinding[] =>
      m.find(raw).map((x) => finding(name, type, x.kind === 'fragment' ? 0.9 : 1, x.start, x.end)),
    openFrom: (raw) => m.openFrom(raw),
  };
}
