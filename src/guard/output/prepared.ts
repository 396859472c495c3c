/**
 * The text the detectors see. The engine's detectors work on sanitised text (NFKC, invisible
 * characters removed); the output guard must redact the raw text the model wrote, so every
 * sanitised offset maps back to a raw one. A zero-width character inside a key therefore cannot
 * split it past the detectors: the key is found in the sanitised view and redacted whole in the raw.
 */
import { internalError } from '../../pipeline/require.js';
import { fold, sanitise } from '../normalise.js';
import type { ScanInput, SegmentKind } from '../types.js';

export interface PreparedText {
  readonly raw: string;
  /** Sanitised text; engine spans point into it. */
  readonly input: ScanInput;
  /** Raw offset of sanitised offset i (length text.length + 1). Null when the two are identical. */
  readonly map: Int32Array | null;
}

// Printable ASCII plus tab, CR and LF: NFKC and the invisible set leave it unchanged.
const PLAIN = /^[\t\n\r\x20-\x7E]*$/;

export function prepare(raw: string, kind: SegmentKind = 'user'): PreparedText {
  if (PLAIN.test(raw)) return { raw, input: scanInput(raw, kind), map: null };
  let text = '';
  const map: number[] = [];
  let i = 0;
  for (const ch of raw) {
    const s = ch.charCodeAt(0) < 0x80 ? ch : sanitise(ch);
    for (let k = 0; k < s.length; k++) map.push(i);
    text += s;
    i += ch.length;
  }
  map.push(i);
  return { raw, input: scanInput(text, kind), map: Int32Array.from(map) };
}

function scanInput(text: string, kind: SegmentKind): ScanInput {
  let folded: string | null = null;
  return {
    text,
    kind,
    folded: () => {
      folded ??= fold(text);
      return folded;
    },
  };
}

/** Raw span of a sanitised span: from the start of its first character to the end of its last. */
export function toRaw(p: PreparedText, start: number, end: number): [number, number] {
  if (p.map === null) return [start, end];
  const s = p.map[start];
  // The end maps past the raw character that produced the last sanitised one.
  let e = p.map[end];
  if (s === undefined || e === undefined) throw internalError(`span ${start}..${end} outside the offset map`);
  if (end > start && e <= s) e = s + 1;
  return [s, e];
}
