/**
 * The per-request canary: a random marker added to the system prompt. The model has no reason to
 * ever write it, so its appearance in an answer (whole, in fragments of `minFragment` characters,
 * spaced out, reversed or encoded) means the system prompt is being extracted.
 */
import { randomFillSync } from 'node:crypto';
import { type CodeMatcher, createCodeMatcher } from './code-match.js';
import { finding, type OutputFinding, type TextDetector } from './types.js';

export interface CanaryOptions {
  readonly bytes: number;
  readonly minFragment: number;
  /** From `canaryGate`, compiled once per route. */
  readonly gate: RegExp;
}

/** ASCII text without `minFragment` marker characters in a row (separators allowed) holds no fragment. */
export function canaryGate(minFragment: number): RegExp {
  return new RegExp(`(?:[0-9a-fA-FgGhHcC][^0-9A-Za-z]{0,8}){${minFragment}}`);
}

// Random bytes drawn from a pool refilled by the CSPRNG: one syscall per few hundred requests.
const POOL = Buffer.alloc(4_096);
let poolAt = POOL.length;

function random(n: number): Buffer {
  if (poolAt + n > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  const b = Buffer.from(POOL.subarray(poolAt, poolAt + n));
  poolAt += n;
  return b;
}

/**
 * `GHC.7f3a.9b2c.…`: easy to spot in an incident, and cut in groups of four so that it does not look
 * like a base64 or hex blob to the input guard's decoder (which would otherwise decode every system
 * prompt that carries it).
 */
export function newCanary(bytes: number): string {
  const hex = random(bytes).toString('hex');
  // Groups by slicing (a regex replace with a lookahead was most of this function's cost per request).
  let out = 'GHC.';
  for (let i = 0; i < hex.length; i += 4) out += i === 0 ? hex.slice(0, 4) : `.${hex.slice(i, i + 4)}`;
  return out;
}

export function createCanaryDetector(marker: string, opts: CanaryOptions): TextDetector {
  const m = createCodeMatcher(marker, {
    minFragment: opts.minFragment,
    embedded: true,
    decoded: true,
    gate: opts.gate,
  });
  // newCanary's markers are hex; a marker without letters or digits could never be found.
  if (m === null) throw new Error('canary marker has no letters or digits');
  return leakDetector(m, 'canary', 'CANARY');
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
