/**
 * Bounded decoding of obfuscated payloads. Each decoded view is scanned by the detectors like the text
 * itself; a finding in a view points at the encoded run in the source text, so redaction removes the
 * whole blob. Work is bounded: at most `maxViews` views, `maxDecodedChars` decoded characters in all,
 * and one level of nesting (base64 of URL-encoded text is decoded, deeper onions are not).
 */
import { tagSmuggled } from './normalise.js';
import type { Span } from './types.js';

export type ViewKind = 'base64' | 'hex' | 'url' | 'html' | 'rot13' | 'tags';

export interface DecodedView {
  readonly kind: ViewKind;
  readonly text: string;
  /** The encoded run in the source text (the whole text for rot13 and tags). */
  readonly span: Span;
}

export interface DecodeLimits {
  readonly maxViews: number;
  readonly maxDecodedChars: number;
  readonly minEncodedLength: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = {
  maxViews: 8,
  maxDecodedChars: 16_384,
  minEncodedLength: 16,
};

const BASE64_RUN = /[A-Za-z0-9+/_-]{16,}={0,2}/;
const HEX_ESCAPES = /(?:\\x[0-9a-fA-F]{2}){6,}/g;
const URL_ESC = /%[0-9a-fA-F]{2}/g;
const URL_ESC_ONE = /%[0-9a-fA-F]{2}/;
const HTML_ENT = /&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});/g;
const ROT13_HINT = /\brot[- ]?13\b|\bcaesar\b|\bcipher\b/i;

const HTML_NAMED: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  colon: ':',
  sol: '/',
  lpar: '(',
  rpar: ')',
  period: '.',
  comma: ',',
};

/** Mostly printable text with letters: a decoded view worth scanning. */
function readable(s: string): boolean {
  if (s.length < 4) return false;
  let printable = 0;
  let letters = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x0d || c === 0x09 || c >= 0xa0) printable++;
    if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) letters++;
  }
  return printable >= s.length * 0.95 && letters >= s.length * 0.15 && !s.includes('\uFFFD');
}

const B64 = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-')
  B64[c.charCodeAt(0)] = 1;

/** Runs of base64 characters (with up to two trailing `=`) at least `min` long, by one linear scan. */
export function base64Runs(text: string, min: number): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0;
    if (c < 128 && B64[c] === 1) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0 && i - start >= min) {
      let end = i;
      while (end < text.length && end - i < 2 && text.charCodeAt(end) === 61) end++;
      runs.push([start, end]);
    }
    start = -1;
  }
  return runs;
}

const HEX = new Uint8Array(128);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;

/**
 * Runs of at least 16 hex digits, optionally written in pairs separated by one space or colon
 * ("49 67 6e", "49:67:6e"), by one linear scan. Runs glued to letters (inside words) are skipped.
 */
export function hexRuns(text: string): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let start = -1;
  let digits = 0;
  let last = -1;
  const close = (): void => {
    if (start >= 0 && digits >= 16 && digits % 2 === 0) runs.push([start, last + 1]);
    start = -1;
    digits = 0;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128 && HEX[c] === 1) {
      if (start < 0) {
        const p = i > 0 ? text.charCodeAt(i - 1) : 32;
        if ((p >= 65 && p <= 90) || (p >= 97 && p <= 122) || (p >= 48 && p <= 57)) continue;
        start = i;
      }
      digits++;
      last = i;
    } else if ((c === 32 || c === 58) && start >= 0 && last === i - 1 && digits % 2 === 0) {
      // a pair separator: the run continues if a hex digit follows
    } else {
      if (start >= 0 && last === i - 1 && ((c >= 65 && c <= 90) || (c >= 97 && c <= 122))) {
        start = -1;
        digits = 0;
        continue;
      }
      close();
    }
  }
  close();
  return runs;
}

function fromBase64(run: string): string | null {
  const clean = run.replace(/=+$/, '');
  if (clean.length % 4 === 1) return null;
  // A long run of one character class (hex digits, lower-case words) is rarely base64.
  if (!/[A-Z]/.test(clean) || !/[a-z]/.test(clean)) return null;
  const out = Buffer.from(clean.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
  return readable(out) ? out : null;
}

function fromHex(run: string): string | null {
  const digits = run.replace(/\\x|[ :]/g, '');
  if (digits.length % 2 !== 0) return null;
  const out = Buffer.from(digits, 'hex').toString('utf8');
  return readable(out) ? out : null;
}

function fromUrl(text: string): string {
  return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (seq) => {
    try {
      return decodeURIComponent(seq);
    } catch {
      return seq;
    }
  });
}

function fromHtml(text: string): string {
  return text.replace(HTML_ENT, (ent) => {
    const body = ent.slice(1, -1);
    if (body[0] === '#') {
      const cp =
        body[1] === 'x' || body[1] === 'X'
          ? Number.parseInt(body.slice(2), 16)
          : Number.parseInt(body.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : ent;
    }
    return HTML_NAMED[body.toLowerCase()] ?? ent;
  });
}

// One decoder for every call: constructing a TextDecoder per text was most of rot13's cost (issue 13's profile).
const UTF16 = new TextDecoder('utf-16le');

export function rot13(s: string): string {
  const out = new Uint16Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[i] = c >= 65 && c <= 90 ? ((c - 52) % 26) + 65 : c >= 97 && c <= 122 ? ((c - 84) % 26) + 97 : c;
  }
  return UTF16.decode(out);
}

// Common English words: a rot13'd text gains them when rotated back.
const STOPWORD_LIST = [
  'the',
  'and',
  'you',
  'your',
  'to',
  'of',
  'is',
  'are',
  'all',
  'ignore',
  'instructions',
  'previous',
  'system',
  'prompt',
  'now',
] as const;
const STOPWORDS = new Set<string>(STOPWORD_LIST);
/** The same words rotated: a word of the text is one of these exactly when its rot13 is a stopword. */
const ROTATED_STOPWORDS = new Set<string>(STOPWORD_LIST.map((w) => rot13(w)));
const LONGEST_STOPWORD = Math.max(...STOPWORD_LIST.map((w) => w.length));

function count(re: RegExp, s: string): number {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(s) !== null) n++;
  return n;
}

const isWordChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;

/** A word's lower-cased ASCII hash (see stopwordCounts); the same function for the lists and the text. */
const wordHash = (h: number, c: number): number => (Math.imul(h, 31) + c) | 0;
interface Listed {
  readonly word: string;
  readonly plain: boolean;
  readonly rotated: boolean;
}
/** The stopwords and the rotated stopwords by hash, each with its word to confirm a hit. */
const LISTED = new Map<number, Listed[]>();
for (const word of new Set([...STOPWORDS, ...ROTATED_STOPWORDS])) {
  let h = 0;
  for (let i = 0; i < word.length; i++) h = wordHash(h, word.charCodeAt(i));
  const entry = { word, plain: STOPWORDS.has(word), rotated: ROTATED_STOPWORDS.has(word) };
  LISTED.set(h, [...(LISTED.get(h) ?? []), entry]);
}

/** `text[start, start + word.length)` lower-cased is `word` (ASCII word characters only). */
function sameWord(text: string, start: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) {
    const c = text.charCodeAt(start + k);
    if ((c >= 65 && c <= 90 ? c + 32 : c) !== word.charCodeAt(k)) return false;
  }
  return true;
}

/**
 * Stopwords in `text` and in its rot13, by one scan and without building the rotated text: a whole
 * word (a run of regex `\w` characters, which is what `\b…\b` delimits) counts for the text when
 * it is a stopword and for the rotation when it is a rotated stopword (rot13 keeps word boundaries:
 * it maps letters to letters and leaves digits and `_` alone). Case-insensitive, ASCII only, as the
 * non-unicode `/\b(?:the|…)\b/gi` it replaces. Words are hashed as they are read and confirmed
 * against the list only on a hash hit: no slice or lower-cased copy per word (issue 13's profile).
 */
export function stopwordCounts(text: string): { plain: number; rotated: number } {
  const { plain, rotated } = shapes(text, Number.POSITIVE_INFINITY);
  return { plain, rotated };
}

interface Shapes {
  /** A run of at least `min` base64 characters: base64Runs finds something. */
  readonly base64: boolean;
  /** 16 hex digits with at most one separator between two: hexRuns may find something. */
  readonly hex: boolean;
  /** stopwordCounts. */
  readonly plain: number;
  readonly rotated: number;
}

/**
 * One pass for what decodeViews needs to know of every text (issue 13: three passes before): the
 * stopword counts, and whether the base64 and hex scans can find a run at all. The two flags are
 * necessary conditions of those scans' runs (a base64 run is such a run; a hex run is 16 digits or
 * more with single separators between pairs), so a text without them skips the scans with the same
 * result; a text with them is scanned exactly as before.
 */
export function shapes(text: string, min: number): Shapes {
  let plain = 0;
  let rotated = 0;
  let start = -1;
  let h = 0;
  let b64 = 0;
  let base64 = false;
  let hexDigits = 0;
  let hexSep = false;
  let hex = false;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0;
    if (c < 128 && B64[c] === 1) {
      if (++b64 >= min) base64 = true;
    } else b64 = 0;
    if (c < 128 && HEX[c] === 1) {
      if (++hexDigits >= 16) hex = true;
      hexSep = false;
    } else if ((c === 32 || c === 58) && hexDigits > 0 && !hexSep) hexSep = true;
    else {
      hexDigits = 0;
      hexSep = false;
    }
    if (isWordChar(c)) {
      if (start < 0) {
        start = i;
        h = 0;
      }
      h = wordHash(h, c >= 65 && c <= 90 ? c + 32 : c);
      continue;
    }
    if (start >= 0 && i - start >= 2 && i - start <= LONGEST_STOPWORD) {
      const listed = LISTED.get(h);
      if (listed !== undefined)
        for (const e of listed) {
          if (e.word.length !== i - start || !sameWord(text, start, e.word)) continue;
          if (e.plain) plain++;
          if (e.rotated) rotated++;
        }
    }
    start = -1;
  }
  return { base64, hex, plain, rotated };
}

/** Decoded views of `text`, within `limits`. `text` is the sanitised text (raw text for tags). */
export function decodeViews(
  text: string,
  raw: string,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
): DecodedView[] {
  const views: DecodedView[] = [];
  let budget = limits.maxDecodedChars;
  const push = (kind: ViewKind, decoded: string | null, span: Span): boolean => {
    if (decoded === null || views.length >= limits.maxViews || budget <= 0)
      return views.length < limits.maxViews;
    const clipped = decoded.length > budget ? decoded.slice(0, budget) : decoded;
    budget -= clipped.length;
    views.push({ kind, text: clipped, span });
    return views.length < limits.maxViews && budget > 0;
  };
  const whole: Span = { start: 0, end: text.length };
  const shape = shapes(text, limits.minEncodedLength);

  const smuggled = tagSmuggled(raw);
  if (smuggled !== null && !push('tags', smuggled, whole)) return views;

  for (const [start, end] of shape.base64 ? base64Runs(text, limits.minEncodedLength) : []) {
    const run = text.slice(start, end);
    const decoded = fromBase64(run);
    const span = { start, end };
    if (!push('base64', decoded, span)) return views;
    // One nested level: base64 wrapping URL-encoding or another base64 layer.
    if (decoded !== null && URL_ESC_ONE.test(decoded) && !push('url', fromUrl(decoded), span)) return views;
    const inner = decoded?.match(BASE64_RUN)?.[0];
    if (
      inner !== undefined &&
      inner.length >= limits.minEncodedLength &&
      !push('base64', fromBase64(inner), span)
    )
      return views;
  }
  for (const [start, end] of shape.hex ? hexRuns(text) : []) {
    if (!push('hex', fromHex(text.slice(start, end)), { start, end })) return views;
  }
  if (text.includes('\\x')) {
    for (const m of text.matchAll(HEX_ESCAPES)) {
      if (!push('hex', fromHex(m[0]), { start: m.index, end: m.index + m[0].length })) return views;
    }
  }
  // Every escape starts with its sign: a text without one skips the regex.
  if (text.includes('%') && count(URL_ESC, text) >= 3 && !push('url', fromUrl(text), whole)) return views;
  if (text.includes('&') && count(HTML_ENT, text) >= 3 && !push('html', fromHtml(text), whole)) return views;
  if (/[a-zA-Z]{3}/.test(text)) {
    // The rotated text is built only when it becomes a view (most texts are not rot13).
    const sw = ROT13_HINT.test(text) ? null : shape;
    if (sw === null || sw.rotated > sw.plain + 2) push('rot13', rot13(text), whole);
  }
  return views;
}
