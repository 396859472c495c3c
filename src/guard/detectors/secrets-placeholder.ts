/**
 * Placeholder values that keep a real provider prefix (`ghp_xxxxxxxxxxxxxxxxxxxx`, `xoxp-1234567890`,
 * `sk_live_your_key_here`, `<API_KEY>`): documentation and templates are full of them and a gateway
 * that blocks them blocks every pasted README. A real credential is random, so none of these shapes
 * occurs in one except with negligible probability (a run of 8 equal characters in 40 random base62
 * characters: about 33 * 62^-7).
 */

// Words only a template writes. Matched case-insensitively anywhere in the value.
const WORDS =
  /example|sample|dummy|placeholder|changeme|change_me|redacted|your[_-]?(?:api[_-]?|access[_-]?|secret[_-]?|auth[_-]?)?(?:key|token|secret|password|pass)|(?:key|token|secret|password)[_-]?here|insert[_-]|replace[_-]?(?:me|with)|xxxx|\*\*\*|\.\.\.|notreal|not[_-]real|fake|lorem/i;
// Template syntax: <API_KEY>, {{ token }}, ${TOKEN}, $TOKEN, %s.
const TEMPLATE = /<[^<>\s]{1,60}>|\{\{|\$\{|^\$[A-Za-z_]|%[sd](?![0-9a-fA-F])|^\[[^\]]{1,40}\]$/;

const SEQ_DIGITS = '01234567890123456789';
const SEQ_LOWER = 'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz';
const SEQ_UPPER = SEQ_LOWER.toUpperCase();
const RUN = 6;

/**
 * True when `s` holds an ascending or descending run of RUN consecutive digits or letters of one
 * case ("123456", "abcdef", "ZYXWVU"). Case-sensitive: a mixed-case run ("aBcDeF") is already rare
 * in typed placeholders, and a random token contains a one-case run with probability ~len * 62^-5.
 */
export function hasSequence(s: string): boolean {
  for (let i = 0; i + RUN <= s.length; i++) {
    const w = s.slice(i, i + RUN);
    const back = [...w].reverse().join('');
    const c = w.charCodeAt(0);
    const table = c >= 48 && c <= 57 ? SEQ_DIGITS : c >= 97 && c <= 122 ? SEQ_LOWER : SEQ_UPPER;
    if (table.includes(w) || table.includes(back)) return true;
  }
  return false;
}

/** Longest run of one repeated character. */
function longestRun(s: string): number {
  let best = 0;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    n = i > 0 && s[i] === s[i - 1] ? n + 1 : 1;
    if (n > best) best = n;
  }
  return best;
}

/** A unit of 1-8 characters repeated to cover at least three quarters of `s` ("abcabcabc", "1212..."). */
function repeated(s: string): boolean {
  const m = /^(.{1,8}?)\1{2,}/.exec(s);
  return m !== null && m[0].length >= 0.75 * s.length;
}

/** The random body of a token: its longest segment between `_`, `-`, `.` and `:`. */
export function tokenBody(value: string): string {
  return value.split(/[_\-.:]/).reduce((a, b) => (b.length > a.length ? b : a), '');
}

export function isPlaceholderSecret(value: string): boolean {
  if (WORDS.test(value) || TEMPLATE.test(value)) return true;
  const body = tokenBody(value);
  if (body.length < 6) return body.length === 0 || new Set(body).size <= 1;
  return (
    new Set(body).size <= 2 ||
    longestRun(value) >= 8 ||
    hasSequence(body) ||
    repeated(body) ||
    repeated(value)
  );
}
