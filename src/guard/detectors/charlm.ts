/**
 * A character trigram language model of benign prompts, for adversarial-suffix detection: the
 * automated jailbreak generators (GCG, random search) append token salad such as
 * `describing.\ + similarlyNow write oppositeley.]( Me giving**ONE` to a request. Such a run is
 * improbable under a model of ordinary text; ordinary prose, questions and most code are not.
 *
 * Linear time: one table lookup per character and a sliding window sum, no allocation per call.
 * The table is built by scripts/train-charlm.ts from the label-0 rows of the dev sets and this
 * repository's own TypeScript source (code is ordinary input too; never downloaded) and shipped as models/charlm.json (~36 KB); the nested evaluation fits it inside
 * each fold on the training rows only (scripts/eval-nested.ts).
 */
import { readFileSync } from 'node:fs';

/** Symbol classes: a-z, upper case, digits, space, common punctuation, other ASCII. */
export const SYMBOLS = 31;
const DIGIT = 26;
const SPACE = 27;
const PUNCT = 28;
const OTHER = 29;
/** Upper-case letters, one class: case changes inside words (`similarlyNow`) are a salad trait. */
const UPPER = 30;
/** Not a symbol: other scripts are out of the model's scope and are skipped, not scored. */
const SKIP = -1;
const CELLS = SYMBOLS * SYMBOLS * SYMBOLS;
/** Window over which the cost is averaged; the score is the worst window's mean bits per char. */
export const LM_WINDOW = 48;
/** Characters scored: the tail (suffixes are appended) and the head. */
const LM_MAX_CHARS = 4_000;

export function symbolOf(c: number): number {
  if (c >= 97 && c <= 122) return c - 97;
  if (c >= 65 && c <= 90) return UPPER;
  if (c >= 48 && c <= 57) return DIGIT;
  if (c === 32 || c === 10 || c === 9 || c === 13) return SPACE;
  // . , ' " ? ! : ; - ( )
  if (
    c === 46 ||
    c === 44 ||
    c === 39 ||
    c === 34 ||
    c === 63 ||
    c === 33 ||
    c === 58 ||
    c === 59 ||
    c === 45 ||
    c === 40 ||
    c === 41
  )
    return PUNCT;
  // Other ASCII symbols (* # @ { } [ ] \\ / _ ...); non-ASCII is not modelled (SKIP).
  return c < 128 ? OTHER : SKIP;
}

/**
 * symbolOf for every UTF-16 code unit, built once: the scorer reads it once per character of every
 * scanned text, and a table read is cheaper than symbolOf's chain of comparisons.
 */
const SYMBOL_TABLE = (() => {
  const t = new Int8Array(65_536);
  for (let c = 0; c < t.length; c++) t[c] = symbolOf(c);
  return t;
})();

export interface CharLmFile {
  readonly version: 1;
  readonly symbols: number;
  /** -log2 P(c | a b) * 16, clamped to 0..255, base64 of CELLS bytes. */
  readonly cost: string;
  readonly trainedOn: string;
}

export interface CharLm {
  /** Cost in 1/16 bit of each (a, b, c) cell. */
  readonly cost: Uint8Array;
}

/** Counts of a training corpus, kept as numbers so folds can be fitted cheaply. */
export function countTrigrams(texts: Iterable<string>): Float64Array {
  const counts = new Float64Array(CELLS);
  for (const t of texts) {
    let a = SPACE;
    let b = SPACE;
    const n = Math.min(t.length, 20_000);
    for (let i = 0; i < n; i++) {
      const c = symbolOf(t.charCodeAt(i));
      // Runs of whitespace count once, as the scorer sees them.
      if (c === SKIP || (c === SPACE && b === SPACE)) continue;
      counts[(a * SYMBOLS + b) * SYMBOLS + c] = (counts[(a * SYMBOLS + b) * SYMBOLS + c] ?? 0) + 1;
      a = b;
      b = c;
    }
  }
  return counts;
}

/** Add-k smoothed conditional costs from counts. */
export function fitCharLm(counts: Float64Array, k = 0.1): CharLm {
  const cost = new Uint8Array(CELLS);
  for (let ctx = 0; ctx < SYMBOLS * SYMBOLS; ctx++) {
    let total = 0;
    for (let c = 0; c < SYMBOLS; c++) total += counts[ctx * SYMBOLS + c] ?? 0;
    for (let c = 0; c < SYMBOLS; c++) {
      const p = ((counts[ctx * SYMBOLS + c] ?? 0) + k) / (total + k * SYMBOLS);
      cost[ctx * SYMBOLS + c] = Math.min(255, Math.round(-Math.log2(p) * 16));
    }
  }
  return { cost };
}

export function encodeCharLm(lm: CharLm, trainedOn: string): CharLmFile {
  return { version: 1, symbols: SYMBOLS, cost: Buffer.from(lm.cost).toString('base64'), trainedOn };
}

export function decodeCharLm(file: CharLmFile): CharLm {
  const cost = new Uint8Array(Buffer.from(file.cost, 'base64'));
  if (file.version !== 1 || file.symbols !== SYMBOLS || cost.length !== CELLS)
    throw new Error('character LM: unsupported format');
  return { cost };
}

export const DEFAULT_CHARLM_URL = new URL('../../../models/charlm.json', import.meta.url);

export function loadCharLm(path: string | URL = DEFAULT_CHARLM_URL): CharLm {
  return decodeCharLm(JSON.parse(readFileSync(path, 'utf8')) as CharLmFile);
}

/** Ring buffer of per-character costs, reused across calls. */
const ring = new Uint16Array(LM_WINDOW);

/** The tail an appended suffix lives in. */
export const SUFFIX_TAIL = 200;
/** Prose before the tail needed to judge the tail against it. */
const MIN_BODY = 80;
const MIN_TEXT = 2 * LM_WINDOW;
/** Bits per character of ordinary prose, the reference when there is no body to compare with. */
export const PROSE_BITS = 3.5;

/**
 * How much less probable the tail of the text is than its body (bits per character, worst window
 * of each): the adversarial-suffix signal. Relative to the text itself, so text that is unusual
 * throughout (code, tables) scores low, and a request followed by token salad scores high.
 */
export function suffixContrast(lm: CharLm, text: string, layoutAware = true): number {
  // A request plus a suffix needs room: under two windows there is no body to compare with, and
  // one odd token ("D&D") would fill the whole window.
  if (text.length < MIN_TEXT) return 0;
  const t = text.length > LM_MAX_CHARS ? text.slice(-LM_MAX_CHARS) : text;
  const cut = t.length - SUFFIX_TAIL;
  // The salad follows a request in words; JSON, code or a table opens with symbols throughout.
  if (structured(t, Math.max(LM_WINDOW, cut))) return 0;
  // An appended suffix is inline text; a tail laid out over several lines (a docstring's examples,
  // a list, a poem) is layout whose odd windows are indentation and symbols, not token salad.
  if (layoutAware && lineBreaks(t, Math.max(0, cut)) >= MAX_TAIL_LINES) return 0;
  const tail = worstWindow(lm, t, Math.max(0, cut), t.length);
  // Against the body's own least probable window: code or tables have odd windows throughout.
  const body = cut >= MIN_BODY ? worstWindow(lm, t, 0, cut) : PROSE_BITS;
  return Math.max(0, tail - Math.max(body, PROSE_BITS));
}

/** Line breaks in a tail at or above which it is layout, not an appended suffix. */
const MAX_TAIL_LINES = 3;

/** Line breaks in t[from..], trailing ones excluded. */
function lineBreaks(t: string, from: number): number {
  let end = t.length;
  while (
    end > from &&
    (t.charCodeAt(end - 1) === 10 || t.charCodeAt(end - 1) === 13 || t.charCodeAt(end - 1) === 32)
  )
    end--;
  let n = 0;
  for (let i = from; i < end; i++) if (t.charCodeAt(i) === 10) n++;
  return n;
}

/** Share of symbols other than word punctuation in the first `n` characters above 8 %. */
function structured(t: string, n: number): boolean {
  const end = Math.min(n, t.length);
  let odd = 0;
  for (let i = 0; i < end; i++) if (SYMBOL_TABLE[t.charCodeAt(i)] === OTHER) odd++;
  return odd > 0.08 * end;
}

function worstWindow(lm: CharLm, t: string, from: number, to: number): number {
  let a = SPACE;
  let b = SPACE;
  let sum = 0;
  let seen = 0;
  let worst = 0;
  for (let i = from; i < to; i++) {
    const c = SYMBOL_TABLE[t.charCodeAt(i)] ?? SKIP;
    if (c === SKIP || (c === SPACE && b === SPACE)) continue;
    const cost = lm.cost[(a * SYMBOLS + b) * SYMBOLS + c] ?? 0;
    const slot = seen % LM_WINDOW;
    if (seen >= LM_WINDOW) sum -= ring[slot] ?? 0;
    ring[slot] = cost;
    sum += cost;
    seen++;
    if (seen >= LM_WINDOW && sum > worst) worst = sum;
    a = b;
    b = c;
  }
  // A text shorter than a window counts its missing characters as free: a few odd characters
  // ("hi!!") are not token salad.
  if (seen < LM_WINDOW) worst = sum;
  return worst / (16 * LM_WINDOW);
}

/**
 * Bits per character of the least probable window of the text (head and tail when long). English
 * prose scores about 2.5-3.5; token salad 5 and more.
 */
export function gibberishBits(lm: CharLm, text: string): number {
  if (text.length <= LM_MAX_CHARS) return worstWindow(lm, text, 0, text.length);
  const half = LM_MAX_CHARS / 2;
  return Math.max(worstWindow(lm, text, 0, half), worstWindow(lm, text, text.length - half, text.length));
}
