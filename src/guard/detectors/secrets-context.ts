/**
 * Credentials recognised by their context rather than their format: a value after a secret-ish
 * keyword (`password = ...`, `api_key: ...`), HTTP authorisation (`Authorization: Bearer ...`,
 * `Authorization: Basic <base64 of user:pass>`), custom token headers (`x-api-key: ...`,
 * `PRIVATE-TOKEN: ...`) and curl's `-u user:pass`. Each finder returns [type, start, end] spans of the
 * value; secrets.ts applies the allowlist and resolves overlaps.
 */

import { matchAll } from '../match-all.js';
import { isPlaceholderSecret } from './secrets-placeholder.js';

export type ContextHit = readonly [type: string, start: number, end: number];

const KEYWORD =
  /(?:pass(?:word|wd|phrase)|\bpwd|secret|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?key|credentials?|client[_-]?secret)[\w.-]{0,20}["']?[ \t]{0,10}(?::=|=>|[:=]|[ \t]{1,10}is[ \t]{1,10})[ \t]{0,10}["'`]?([^\s"'`,;]{8,200})/gi;
/**
 * Names that carry a secret-ish word but hold no secret: anti-forgery tokens, identifiers, hashes,
 * token counts and settings. Read from the name before the value.
 */
const NOT_SECRET_NAME =
  /(?:csrf|xsrf|nonce|request[_-]?id|trace|correlation|session[_-]?id|commit|sha\d*|hash|checksum|etag|uuid|guid|idempotency|cursor|page[_-]?token|next[_-]?token|public|pub[_-]?key|key[_-]?(?:id|name|type|size|length|file|path)|token[_-]?(?:type|url|uri|endpoint|file|path|expir\w*|count|limit|length|id)|max[_-]?tokens?|secret[_-]?(?:name|id|ref|arn)|password[_-]?(?:reset|policy|length|hint|field))/i;
/** Keywords strong enough to make a bare hex string, UUID or number a credential. */
const STRONG_NAME =
  /pass(?:word|wd|phrase)|\bpwd|secret|api[_-]?key|apikey|access[_-]?key|auth[_-]?key|private[_-]?key|credential|auth[_-]?token|bearer/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX_OR_DIGITS = /^(?:[0-9a-f]+|\d+)$/i;

const PLACEHOLDER =
  /^(?:\$\{|\$[A-Za-z_]|%[sd(]|<|\{\{|\[)|insert|your[_-]|example|placeholder|changeme|redacted|xxxx|\*\*\*|^(?:null|none|true|false|undefined|password|secret|token)$/i;
const IDENTIFIER = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$|^[A-Z][A-Z0-9_]*$|[()]/;

const BEARER = /\bbearer\s+([A-Za-z0-9._~+/-]{20,400}=*)/gi;
// GitHub's `Authorization: token <value>` scheme; "token" alone in prose is a word, not a header.
const TOKEN_SCHEME = /\bauthorization["']?\s*[:=]\s*["']?token\s+([A-Za-z0-9._~+/-]{20,400}=*)/gi;
const BASIC = /\bbasic\s+([A-Za-z0-9+/]{8,400}={0,2})(?![A-Za-z0-9+/=])/gi;
/** Header lines whose name says key, token, secret or auth (`x-api-key: ...`, `PRIVATE-TOKEN: ...`). */
const HEADER =
  /(?:^|[\s"'{(,])((?:x-)?[a-z0-9-]{0,30}(?:api-?key|apikey|auth-?token|access-?token|private-?token|secret|subscription-key|functions-key|session-?token|token))["']?[ \t]*:[ \t]*["']?([A-Za-z0-9._~+/=-]{12,400})/gim;
const HEADER_GATE = /(?:key|token|secret)["']?[ \t]*:/i;
/** Header names that make even a UUID or hex value a credential (`X-Auth-Token`, `x-api-key`). */
const STRONG_HEADER = /auth|api|key|secret|private|access|session/i;
const NOT_SECRET_HEADER =
  /csrf|xsrf|request-id|trace|correlation|idempotency|next-token|page-token|token-type/i;
/** curl's `-u user:pass` / `--user user:pass`: the password is the secret. */
const CURL_USER = /\bcurl\b[^\n]{0,400}?\s(?:-u|--user)(?:[ \t]+|=)?["']?([^\s"':]{1,100}):([^\s"']{1,200})/g;

export function shannonEntropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

function classes(s: string): { alnum: number; special: boolean } {
  const alnum = Number(/[a-z]/.test(s)) + Number(/[A-Z]/.test(s)) + Number(/[0-9]/.test(s));
  return { alnum, special: /[^A-Za-z0-9]/.test(s) };
}

const envReference = (v: string): boolean => /^(?:\$\{?[A-Za-z_]|%[A-Za-z_]+%$|\{\{)/.test(v);

/** A value after a secret-ish keyword that looks like a real credential rather than prose or code. */
export function looksLikeSecret(value: string, password: boolean): boolean {
  if (PLACEHOLDER.test(value) || IDENTIFIER.test(value) || isPlaceholderSecret(value)) return false;
  const c = classes(value);
  if (password && value.length >= 8 && c.alnum + Number(c.special) >= 3) return true;
  return value.length >= 16 && c.alnum >= 2 && shannonEntropy(value) >= 3.0;
}

/** A pattern may match the text; false only when the one-pass literal scan rules it out. */
export type MayRun = (re: RegExp) => boolean;
const always: MayRun = () => true;

/** The finders' patterns, for the literal prefilter (secrets-prefilter.ts). */
export const CONTEXT_PATTERNS: readonly RegExp[] = [KEYWORD, BEARER, TOKEN_SCHEME, BASIC, HEADER, CURL_USER];

function keywordHits(text: string, out: ContextHit[], mayRun: MayRun): void {
  if (!mayRun(KEYWORD)) return;
  for (const m of matchAll(KEYWORD, text)) {
    const value = m[1];
    if (value === undefined) continue;
    const name = text.slice(Math.max(0, m.index - 30), m.index + m[0].length - value.length);
    if (NOT_SECRET_NAME.test(name)) continue;
    // A UUID, hex id or number is an identifier unless a strong word names it a secret.
    if ((UUID.test(value) || HEX_OR_DIGITS.test(value)) && !STRONG_NAME.test(name)) continue;
    const pw = /pass|pwd/i.test(m[0].slice(0, m[0].length - value.length));
    if (!looksLikeSecret(value, pw)) continue;
    const start = m.index + m[0].length - value.length;
    out.push([pw ? 'PASSWORD' : 'KEYWORD_SECRET', start, start + value.length]);
  }
}

/** `user:pass` from a Basic credential, or null when it does not decode to one. */
export function basicCredential(b64: string): { user: string; pass: string } | null {
  const decoded = Buffer.from(b64, 'base64').toString('utf8');
  // Printable ASCII only: random base64 that is not a credential decodes to binary.
  if (!/^[\x20-\x7e]+$/.test(decoded)) return null;
  const i = decoded.indexOf(':');
  if (i <= 0 || i === decoded.length - 1) return null;
  return { user: decoded.slice(0, i), pass: decoded.slice(i + 1) };
}

function authHits(text: string, out: ContextHit[], mayRun: MayRun): void {
  for (const re of [BEARER, TOKEN_SCHEME]) {
    if (!mayRun(re)) continue;
    for (const m of matchAll(re, text)) {
      const value = m[1];
      if (value === undefined || !looksLikeSecret(value, false)) continue;
      const start = m.index + m[0].length - value.length;
      out.push(['AUTH_HEADER', start, start + value.length]);
    }
  }
  for (const m of mayRun(BASIC) ? matchAll(BASIC, text) : []) {
    const value = m[1];
    if (value === undefined) continue;
    const cred = basicCredential(value);
    if (cred === null || isPlaceholderSecret(cred.pass) || envReference(cred.pass)) continue;
    const start = m.index + m[0].length - value.length;
    out.push(['BASIC_AUTH', start, start + value.length]);
  }
  // Cheap gates first: the header and curl patterns try many start positions.
  if (mayRun(HEADER) && HEADER_GATE.test(text))
    for (const m of matchAll(HEADER, text)) {
      const [, name, value] = m as unknown as [string, string, string];
      if (NOT_SECRET_HEADER.test(name) || envReference(value) || isPlaceholderSecret(value)) continue;
      if ((UUID.test(value) || HEX_OR_DIGITS.test(value)) && !STRONG_HEADER.test(name)) continue;
      const c = classes(value);
      if (!(c.alnum >= 2 && (value.length >= 20 || shannonEntropy(value) >= 3.0))) continue;
      const start = m.index + m[0].length - value.length;
      out.push(['AUTH_HEADER', start, start + value.length]);
    }
  if (!mayRun(CURL_USER) || !/curl/i.test(text)) return;
  for (const m of matchAll(CURL_USER, text)) {
    const pass = m[2];
    if (pass === undefined) continue;
    if (envReference(pass) || isPlaceholderSecret(pass) || /^(?:pass(?:word)?|secret|pwd)$/i.test(pass))
      continue;
    const start = m.index + m[0].length - pass.length;
    out.push(['CURL_BASIC_AUTH', start, start + pass.length]);
  }
}

/** Every context finding in the text, keyword values first. */
export function contextHits(text: string, mayRun: MayRun = always): ContextHit[] {
  const out: ContextHit[] = [];
  keywordHits(text, out, mayRun);
  authHits(text, out, mayRun);
  return out;
}
