/**
 * Finds a protected string (the per-request canary, or an access code in `eval leak`) in model
 * output, whole or in pieces, however the model dresses it up: any case, confusables and
 * full-width forms, separators between letters ("a-v-o-c-a-d-o", "7f 3a 9b"), reversed, inside a
 * base64/hex/rot13 run, or as the initials of lines or words (an acrostic; leak-decode.ts, which also
 * decodes hex and base64 runs too short for the input guard's decoder). Matching runs on an alphanumeric-only folded stream that keeps, for each
 * character, its raw offset and whether a word starts there.
 */
import { decodeViews } from '../decode.js';
import { fold } from '../normalise.js';
import { leakViews } from './leak-decode.js';

export interface CodeMatcherOptions {
  /** Any run of this many consecutive code characters is a leak (0: only the whole code counts). */
  readonly minFragment: number;
  /** Accept a whole-code match inside a longer word (safe for random markers, not for dictionary words). */
  readonly embedded: boolean;
  /** Also look in base64/hex/url/rot13 decoded views. */
  readonly decoded: boolean;
  /**
   * Optional cheap test, compiled at boot: ASCII text it rejects holds no match (outside decoded
   * views). For the canary: `minFragment` characters of its alphabet in a row, separators allowed.
   */
  readonly gate?: RegExp;
}

export interface CodeMatch {
  readonly start: number;
  readonly end: number;
  readonly kind: 'whole' | 'reversed' | 'fragment' | 'encoded';
}

interface Folded {
  /** Lower-case letters and digits only. */
  readonly s: string;
  /** Raw offset of each character of `s`. */
  readonly pos: Int32Array;
  /** Raw offset just past the raw character that produced s[i]. */
  readonly ends: Int32Array;
  /** 1 where s[i] begins a word in the raw text (preceded by a non-alphanumeric or the start). */
  readonly wordStart: Uint8Array;
}

// Letters and digits of any script (confusables were folded to ASCII first).
const ALNUM_RE = /[\p{L}\p{N}]/u;

class FoldBuilder {
  chars: string[] = [];
  pos: Int32Array;
  ends: Int32Array;
  ws: Uint8Array;
  n = 0;
  constructor(cap: number) {
    this.pos = new Int32Array(cap);
    this.ends = new Int32Array(cap);
    this.ws = new Uint8Array(cap);
  }
  add(ch: string, at: number, end: number, wordStart: boolean): void {
    if (this.n === this.pos.length) {
      // Folding can expand a character (ligatures): grow.
      const grow = <T extends Int32Array | Uint8Array>(a: T, b: T): T => {
        b.set(a);
        return b;
      };
      this.pos = grow(this.pos, new Int32Array(this.n * 2 + 8));
      this.ends = grow(this.ends, new Int32Array(this.n * 2 + 8));
      this.ws = grow(this.ws, new Uint8Array(this.n * 2 + 8));
    }
    this.chars.push(ch);
    this.pos[this.n] = at;
    this.ends[this.n] = end;
    this.ws[this.n] = wordStart ? 1 : 0;
    this.n++;
  }
}

export function foldAlnum(raw: string): Folded {
  const b = new FoldBuilder(raw.length);
  let prevAlnum = false;
  let i = 0;
  while (i < raw.length) {
    const c = raw.charCodeAt(i);
    if (c < 0x80) {
      // ASCII fast path: digits and letters (lower-cased) count, everything else separates words.
      const alnum = (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
      // Setting bit 0x20 lower-cases an ASCII letter and leaves a digit as it is.
      if (alnum) b.add(String.fromCharCode(c | 0x20), i, i + 1, !prevAlnum);
      prevAlnum = alnum;
      i++;
      continue;
    }
    const ch = String.fromCodePoint(raw.codePointAt(i) ?? c);
    const f = fold(ch.normalize('NFKC'));
    let any = false;
    for (const x of f) {
      if (!ALNUM_RE.test(x)) continue;
      b.add(x, i, i + ch.length, !prevAlnum && !any);
      any = true;
    }
    // Invisible and combining characters neither start nor end a word.
    if (f.length > 0) prevAlnum = any;
    i += ch.length;
  }
  return { s: b.chars.join(''), pos: b.pos, ends: b.ends, wordStart: b.ws };
}

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Fragment mode: a tail of fewer code characters than this is released rather than held. Any word
 * ending in a letter or digit of the marker's alphabet ("Sure" ends in `e`, a hex digit) would
 * otherwise wait for the next token; and two characters of a marker, far below `minFragment`
 * (a fragment shorter than that is not a finding at all), say nothing about it. At most two code
 * characters can then reach the consumer before a fragment is blocked.
 */
const FRAGMENT_HOLD_MIN = 3;

function isAlnumAt(raw: string, i: number): boolean {
  const c = raw.charCodeAt(i);
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

function wordStartsAt(raw: string, i: number): boolean {
  return i === 0 || !isAlnumAt(raw, i - 1);
}

// Worth decoding: a base64/hex run as long as the decoder's minimum, URL or HTML escapes, a rot13 hint.
// The long-run alternative is a loop (as a regex it tried every start position inside every word).
const ENCODED_HINT_REST = /%[0-9a-fA-F]{2}|&#?\w{2,8};|\brot[- ]?13\b|caesar|cipher/i;

function encodedHint(raw: string): boolean {
  let run = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    const b64 =
      (c >= 48 && c <= 57) ||
      (c >= 97 && c <= 122) ||
      (c >= 65 && c <= 90) ||
      c === 43 ||
      c === 47 ||
      c === 61 ||
      c === 95 ||
      c === 45;
    if (!b64) run = 0;
    else if (++run >= 16) return true;
  }
  return ENCODED_HINT_REST.test(raw);
}

export interface CodeMatcher {
  readonly code: string;
  find(raw: string): CodeMatch[];
  /** Earliest raw offset from which the end of `raw` may be the beginning of a match. */
  openFrom(raw: string): number;
}

/**
 * Whether `text`, read as the folded stream (letters and digits only, lower-cased), has `need`
 * consecutive characters that `alpha` marks. Exact for ASCII text: every match (whole, reversed or
 * a fragment) is such a run, so text without one holds none, and the fold and the search are
 * skipped. One loop of comparisons, no allocation. Non-ASCII text answers true (it must be folded).
 */
function mayHoldRun(text: string, alpha: Uint8Array, need: number): boolean {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return true;
    const lower = c | 0x20;
    if ((c >= 48 && c <= 57) || (lower >= 97 && lower <= 122)) {
      if (alpha[lower] === 1) {
        if (++run >= need) return true;
      } else run = 0;
    }
  }
  return false;
}

/** Lower-case letters and digits of an ASCII code, or null when it needs the full fold. */
function foldAscii(code: string): string | null {
  let out = '';
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c >= 0x80) return null;
    if ((c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90))
      out += String.fromCharCode(c | 0x20);
  }
  return out;
}

export function createCodeMatcher(code: string, opts: CodeMatcherOptions): CodeMatcher | null {
  // Built per request for the canary: only what every scan needs is built here (the folded code,
  // its alphabet); the fragment tables wait for the first text that could hold a match, which
  // most answers never are.
  const k = foldAscii(code) ?? foldAlnum(code).s;
  if (k.length === 0) return null;
  let rev = '';
  for (let i = k.length - 1; i >= 0; i--) rev += k[i];
  const frag = opts.minFragment > 0 && k.length > opts.minFragment ? opts.minFragment : 0;
  // A match has at least this many consecutive folded characters, all from the code's alphabet.
  const need = frag > 0 ? frag : k.length;
  const alpha = new Uint8Array(128);
  let foldedAlpha = true;
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i);
    if (c < 128) alpha[c] = 1;
    else foldedAlpha = false;
  }
  // A code with non-ASCII letters: no cheap test (its letters never show in ASCII text as they are).
  const mayHold = (text: string): boolean => !foldedAlpha || mayHoldRun(text, alpha, need);
  let pieces: Set<string> | null = null;
  let bigrams: Set<number> | null = null;
  const tables = (): { pieces: Set<string>; bigrams: Set<number> } => {
    if (pieces === null || bigrams === null) {
      pieces = new Set<string>();
      bigrams = new Set<number>();
      for (let i = 0; frag > 0 && i + frag <= k.length; i++) {
        for (const p of [k.slice(i, i + frag), rev.slice(i, i + frag)]) {
          pieces.add(p);
          bigrams.add(p.charCodeAt(0) * 65_536 + p.charCodeAt(1));
        }
      }
    }
    return { pieces, bigrams };
  };
  /** Whether a decoded or initials view holds the code, reversed, or a fragment of it. */
  const viewHolds = (text: string): boolean => {
    if (!mayHold(text)) return false;
    const d = foldAlnum(text).s;
    return d.includes(k) || d.includes(rev) || (frag > 0 && hasPiece(d, tables().pieces, frag));
  };

  const bounded = (f: Folded, at: number, len: number): boolean => {
    if (opts.embedded) return true;
    const end = at + len;
    return f.wordStart[at] === 1 && (end === f.s.length || f.wordStart[end] === 1);
  };

  // find() and openFrom() run on the same text one after the other: fold it once.
  let lastRaw = '';
  let lastFold: Folded | null = null;
  const folded = (raw: string): Folded => {
    if (lastFold === null || raw !== lastRaw) {
      lastFold = foldAlnum(raw);
      lastRaw = raw;
    }
    return lastFold;
  };

  const search = (f: Folded, out: CodeMatch[]): void => {
    for (const [needle, kind] of [
      [k, 'whole'],
      [rev, 'reversed'],
    ] as const) {
      if (kind === 'reversed' && rev === k) continue;
      for (let at = f.s.indexOf(needle); at >= 0; at = f.s.indexOf(needle, at + 1)) {
        if (bounded(f, at, needle.length)) out.push({ ...rawSpan(f, at, at + needle.length - 1), kind });
      }
    }
    if (frag > 0) {
      const { pieces, bigrams } = tables();
      const s = f.s;
      let runStart = -1;
      let prevHit = false;
      for (let i = 0; i + frag <= s.length; i++) {
        // Most positions fail on their first two characters: no slice, no set lookup for them.
        const hit =
          bigrams.has(s.charCodeAt(i) * 65_536 + s.charCodeAt(i + 1)) && pieces.has(s.slice(i, i + frag));
        if (hit && !prevHit) runStart = i;
        if (!hit && prevHit) out.push({ ...rawSpan(f, runStart, i + frag - 2), kind: 'fragment' });
        prevHit = hit;
      }
      if (prevHit) out.push({ ...rawSpan(f, runStart, s.length - 1), kind: 'fragment' });
    }
  };

  const find = (raw: string): CodeMatch[] => {
    const encoded = opts.decoded && encodedHint(raw);
    // Acrostics and short hex/base64 runs, looked at before the gate (which reads the text as written).
    const hidden = opts.decoded ? leakViews(raw, frag > 0 ? frag : k.length) : [];
    if (
      opts.gate !== undefined &&
      !encoded &&
      hidden.length === 0 &&
      !NON_ASCII.test(raw) &&
      !opts.gate.test(raw)
    )
      return [];
    const out: CodeMatch[] = [];
    // The fold and the search of the text itself, only when it has a long enough run of the code's
    // characters (the views below are checked on their own).
    if (mayHold(raw)) search(folded(raw), out);
    for (const v of hidden) if (viewHolds(v.text)) out.push({ start: v.start, end: v.end, kind: 'encoded' });
    if (encoded) {
      for (const v of decodeViews(raw, raw))
        if (viewHolds(v.text)) out.push({ start: v.span.start, end: v.span.end, kind: 'encoded' });
    }
    return out;
  };

  const openFrom = (whole: string): number => {
    // Only the end can still grow into a match: fold a tail long enough for the code spelled out
    // with a few separators per character.
    const from = Math.max(0, whole.length - 8 * k.length - 64);
    const raw = from === 0 ? whole : whole.slice(from);
    const fast = NON_ASCII.test(raw) ? -1 : asciiTailOpen(raw);
    const at = fast >= 0 ? fast : tailOpen(raw);
    return at === raw.length ? whole.length : from + at;
  };

  /**
   * ASCII text: walk back from the end, one letter or digit at a time, while the letters seen could
   * still be part of a match (no folding, no allocation per character).
   */
  const asciiTailOpen = (raw: string): number => {
    let tail = '';
    let at = raw.length;
    let best = raw.length;
    let bestLen = 0;
    for (let i = raw.length - 1; i >= 0 && tail.length < k.length - 1; i--) {
      const c = raw.charCodeAt(i);
      const alnum = (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
      if (!alnum) continue;
      tail = String.fromCharCode(c | 0x20) + tail;
      at = i;
      const could =
        frag > 0
          ? k.includes(tail) || rev.includes(tail)
          : (k.startsWith(tail) || rev.startsWith(tail)) && (opts.embedded || wordStartsAt(raw, i));
      // Whole-code mode needs a word start; fragment mode any run: keep the longest that could grow.
      if (could) {
        best = at;
        bestLen = tail.length;
      } else if (frag > 0 || !(k.includes(tail) || rev.includes(tail))) break;
    }
    return frag > 0 && bestLen < FRAGMENT_HOLD_MIN ? raw.length : best;
  };

  const tailOpen = (raw: string): number => {
    const f = foldAlnum(raw);
    const n = f.s.length;
    // The longest suffix of the folded text that could still grow into a match.
    const maxLen = Math.min(n, k.length - 1);
    for (let len = maxLen; len >= 1; len--) {
      const tail = f.s.slice(n - len);
      const could =
        frag > 0
          ? k.includes(tail) || rev.includes(tail)
          : (k.startsWith(tail) || rev.startsWith(tail)) && (opts.embedded || f.wordStart[n - len] === 1);
      if (could) return frag > 0 && len < FRAGMENT_HOLD_MIN ? raw.length : rawSpan(f, n - len, n - len).start;
    }
    return raw.length;
  };

  return { code: k, find, openFrom };
}

/** Raw span of folded characters `first..last` (inclusive); both are offsets into `f.s`. */
function rawSpan(f: Folded, first: number, last: number): { start: number; end: number } {
  const start = f.pos[first];
  const end = f.ends[last];
  if (start === undefined || end === undefined || first < 0 || last >= f.s.length) {
    throw new RangeError(`folded offsets ${first}..${last} outside 0..${f.s.length - 1}`);
  }
  return { start, end };
}

function hasPiece(s: string, pieces: ReadonlySet<string>, frag: number): boolean {
  for (let i = 0; i + frag <= s.length; i++) if (pieces.has(s.slice(i, i + frag))) return true;
  return false;
}
