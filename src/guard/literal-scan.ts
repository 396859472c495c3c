/**
 * One pass over a text for many literals at once (issue 13): an Aho-Corasick automaton compiled at
 * start-up into a dense transition table, ASCII case-insensitive. It tells which literals occur and,
 * for the literals that ask for it, where; the detectors then run only the patterns whose required
 * literal occurs (detectors/secrets-prefilter.ts). Linear in the text, no backtracking, no
 * allocation per character.
 *
 * Literals are ASCII and lower case. The scan folds A-Z to a-z; any other character (non-ASCII
 * included) stands for itself, so a non-ASCII character simply breaks every partial match. That is
 * exactly "occurs in `text.toLowerCase()`" except for the two characters whose lower case is or
 * contains ASCII: U+0130 (to `i̇`) and U+212A (Kelvin, to `k`). A text holding either is scanned in
 * its `toLowerCase()` form instead (rare), so presence and positions always equal a scan of
 * `text.toLowerCase()`, which is what gitleaks' keyword check (secrets-vendored.ts) is defined on.
 */
import { isRegexSpace } from './chars.js';

export interface LiteralAutomaton {
  readonly literals: readonly string[];
  /** Alphabet class of each ASCII code (lower-cased first); 0 = a character no literal uses. */
  readonly cls: Uint8Array;
  readonly width: number;
  /** delta[state * width + class]: the full goto function (failure links folded in). */
  readonly delta: Int32Array;
  /** Literal ids ending at each state (its own and its suffixes'): outputs[outStart[s] .. outStart[s + 1]). */
  readonly outStart: Int32Array;
  readonly outputs: Int32Array;
  /** 1 for the literals whose every start position is wanted (the others: presence only). */
  readonly wantPositions: Uint8Array;
  /** Bits per ASCII code (as written, not folded), OR-ed into `LiteralHits.mask`. */
  readonly charFlags: Uint8Array;
  /** States are numbered so that exactly those from here on have outputs: one compare per character. */
  readonly firstOut: number;
}

export function compileLiterals(
  literals: readonly string[],
  wantPositions: (literal: string, id: number) => boolean = () => false,
  charFlags: Uint8Array = new Uint8Array(128),
): LiteralAutomaton {
  const cls = new Uint8Array(128);
  let width = 1;
  for (const w of literals) {
    if (w.length === 0) throw new Error('literal scan: empty literal');
    for (let i = 0; i < w.length; i++) {
      const c = w.charCodeAt(i);
      if (c >= 128 || (c >= 65 && c <= 90)) throw new Error(`literal scan: "${w}" is not lower-case ASCII`);
      if (cls[c] === 0) cls[c] = width++;
    }
  }
  // The trie, then breadth-first failure links folded into a full transition table.
  const next: number[][] = [new Array<number>(width).fill(-1)];
  const ends: number[][] = [[]];
  literals.forEach((w, id) => {
    let s = 0;
    for (let i = 0; i < w.length; i++) {
      const k = cls[w.charCodeAt(i)] as number;
      let t = next[s]?.[k] ?? -1;
      if (t < 0) {
        t = next.length;
        next.push(new Array<number>(width).fill(-1));
        ends.push([]);
        (next[s] as number[])[k] = t;
      }
      s = t;
    }
    (ends[s] as number[]).push(id);
  });
  const n = next.length;
  const delta = new Int32Array(n * width);
  const fail = new Int32Array(n);
  const out: number[][] = ends.map((e) => [...e]);
  const queue: number[] = [];
  for (let k = 0; k < width; k++) {
    const t = next[0]?.[k] ?? -1;
    delta[k] = Math.max(t, 0);
    if (t > 0) queue.push(t);
  }
  for (let q = 0; q < queue.length; q++) {
    const s = queue[q] as number;
    const f = fail[s] as number;
    (out[s] as number[]).push(...(out[f] as number[]));
    for (let k = 0; k < width; k++) {
      const t = next[s]?.[k] ?? -1;
      if (t < 0) delta[s * width + k] = delta[f * width + k] as number;
      else {
        delta[s * width + k] = t;
        fail[t] = delta[f * width + k] as number;
        queue.push(t);
      }
    }
  }
  // Renumber: states without output first (the root stays 0: it has none, literals are non-empty).
  const order = [...Array(n).keys()].sort(
    (x, y) => Number(out[x]?.length !== 0) - Number(out[y]?.length !== 0) || x - y,
  );
  const rank = new Int32Array(n);
  order.forEach((old, nw) => {
    rank[old] = nw;
  });
  const firstOut = order.findIndex((old) => (out[old] as number[]).length !== 0);
  const table = new Int32Array(n * width);
  for (let old = 0; old < n; old++)
    for (let k = 0; k < width; k++)
      table[(rank[old] as number) * width + k] = rank[delta[old * width + k] as number] as number;
  const outStart = new Int32Array(n + 1);
  order.forEach((old, nw) => {
    outStart[nw + 1] = (outStart[nw] as number) + (out[old] as number[]).length;
  });
  const outputs = Int32Array.from(order.flatMap((old) => out[old] as number[]));
  const want = new Uint8Array(literals.length);
  literals.forEach((w, id) => {
    if (wantPositions(w, id)) want[id] = 1;
  });
  return {
    literals,
    cls,
    width,
    delta: table,
    outStart,
    outputs,
    wantPositions: want,
    charFlags,
    firstOut: firstOut < 0 ? n : firstOut,
  };
}

export interface LiteralHits {
  /** 1 where literal `id` occurs. */
  readonly present: Uint8Array;
  /** Start offsets, ascending, of each occurrence of the literals that want positions. */
  readonly positions: Map<number, number[]>;
  /** The string that was scanned: the text itself, or its `toLowerCase()` (see the file comment). */
  readonly scanned: string;
  /** OR of `charFlags` over the text's ASCII characters, with NON_ASCII for any other. */
  readonly mask: number;
  /** The longest run of characters that are not white space (regex `\S`). */
  readonly longestRun: number;
}

export const NON_ASCII = 0x80;

const CAPITAL_I_DOT = 0x130;
const KELVIN = 0x212a;

/** Every literal of `a` in `text`, case-insensitively, in one pass. */
export function scanLiterals(a: LiteralAutomaton, text: string): LiteralHits {
  const hits = run(a, text);
  return hits ?? (run(a, text.toLowerCase()) as LiteralHits);
}

function run(a: LiteralAutomaton, text: string): LiteralHits | null {
  const present = new Uint8Array(a.literals.length);
  const positions = new Map<number, number[]>();
  const { cls, width, delta, outStart, outputs, wantPositions, charFlags, firstOut } = a;
  let s = 0;
  let mask = 0;
  let longestRun = 0;
  let runStart = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    let k = 0;
    if (c < 128) {
      mask |= charFlags[c] as number;
      if (c === 32 || (c >= 9 && c <= 13)) {
        if (i - runStart > longestRun) longestRun = i - runStart;
        runStart = i + 1;
      } else if (c >= 65 && c <= 90) c += 32;
      k = cls[c] as number;
    } else {
      if (c === CAPITAL_I_DOT || c === KELVIN) return null;
      mask |= NON_ASCII;
      if (isRegexSpace(c)) {
        if (i - runStart > longestRun) longestRun = i - runStart;
        runStart = i + 1;
      }
    }
    s = delta[s * width + k] as number;
    if (s < firstOut) continue;
    const o1 = outStart[s + 1] as number;
    for (let o = outStart[s] as number; o < o1; o++) {
      const id = outputs[o] as number;
      present[id] = 1;
      if (wantPositions[id] === 1) {
        const at = i + 1 - (a.literals[id] as string).length;
        const list = positions.get(id);
        if (list === undefined) positions.set(id, [at]);
        else list.push(at);
      }
    }
  }
  if (text.length - runStart > longestRun) longestRun = text.length - runStart;
  return { present, positions, scanned: text, mask, longestRun };
}
