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

const BASE64_RUN = /[A-Za-z0-9+/_-]{16,}={0,2}/g;
const HEX_RUN = /\b(?:[0-9a-fA-F]{2}[ :]?){8,}\b|(?:\\x[0-9a-fA-F]{2}){6,}/g;
const URL_ESC = /%[0-9a-fA-F]{2}/g;
const URL_ESC_ONE = /%[0-9a-fA-F]{2}/;
const HTML_ENT = /&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});/g;
const ROT13_HINT = /\brot[- ]?13\b|\bcaesar\b|\bcipher\b/i;
// Common English words: a rot13'd text gains them when rotated back.
const STOPWORDS =
  /\b(?:the|and|you|your|to|of|is|are|all|ignore|instructions|previous|system|prompt|now)\b/gi;

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
  return printable >= s.length * 0.95 && letters >= s.length * 0.4 && !s.includes('\uFFFD');
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

export function rot13(s: string): string {
  return s.replace(/[a-zA-Z]/g, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
}

function count(re: RegExp, s: string): number {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(s) !== null) n++;
  return n;
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

  const smuggled = tagSmuggled(raw);
  if (smuggled !== null && !push('tags', smuggled, whole)) return views;

  for (const m of text.matchAll(BASE64_RUN)) {
    if (m[0].length < limits.minEncodedLength) continue;
    const decoded = fromBase64(m[0]);
    const span = { start: m.index, end: m.index + m[0].length };
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
  for (const m of text.matchAll(HEX_RUN)) {
    if (!push('hex', fromHex(m[0]), { start: m.index, end: m.index + m[0].length })) return views;
  }
  if (count(URL_ESC, text) >= 3 && !push('url', fromUrl(text), whole)) return views;
  if (count(HTML_ENT, text) >= 3 && !push('html', fromHtml(text), whole)) return views;
  if (/[a-zA-Z]{3}/.test(text)) {
    const rotated = rot13(text);
    if (ROT13_HINT.test(text) || count(STOPWORDS, rotated) > count(STOPWORDS, text) + 2)
      push('rot13', rotated, whole);
  }
  return views;
}
