/**
 * Views of an answer in which a protected string (the canary, an access code) may be hidden, checked
 * before the canary match: the initials of its lines or words (an acrostic, "write a poem whose lines
 * start with the password"), and short hex or base64 runs. The input guard's decoder (../decode.ts)
 * wants 16 characters or more, which a short password never reaches ("avocado" is 14 hex digits, 12
 * base64 characters). Encodings and acrostics as extraction tricks: Tensor Trust (Toyer et al. 2023),
 * Gandalf's levels (Lakera), the "encode the secret" attacks of garak's `encoding` probes.
 *
 * Linear: one pass per view kind, no regular expression that could backtrack.
 */

export interface LeakView {
  readonly kind: 'acrostic' | 'hex' | 'base64';
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

const isAlnum = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
const isB64 = (c: number): boolean => isAlnum(c) || c === 43 || c === 47 || c === 45 || c === 95;

/** Word initials are only read for codes this long: a short one would turn up by chance. */
const MIN_WORD_ACROSTIC = 5;
/** Nor line initials, hex or base64 for codes shorter than this ("hi" starts many two-line answers). */
const MIN_CODE = 4;
/** Most characters a view may decode (bounds the work on a long answer). */
const MAX_VIEW_CHARS = 8_192;

/** First letter or digit of each non-empty line, after a list marker ("1.", "-", "*", ">"). */
function lineInitials(raw: string): LeakView | null {
  let out = '';
  let start = -1;
  let end = 0;
  let i = 0;
  while (i < raw.length && out.length < MAX_VIEW_CHARS) {
    let j = i;
    while (j < raw.length && raw.charCodeAt(j) !== 10) j++;
    // Skip blanks, bullets and a numbered-list marker of one or two digits.
    let k = i;
    while (k < j && !isAlnum(raw.charCodeAt(k))) k++;
    let d = k;
    while (d < j && d - k < 2 && raw.charCodeAt(d) >= 48 && raw.charCodeAt(d) <= 57) d++;
    if (d > k && d < j && (raw.charCodeAt(d) === 46 || raw.charCodeAt(d) === 41)) {
      k = d + 1;
      while (k < j && !isAlnum(raw.charCodeAt(k))) k++;
    }
    if (k < j) {
      out += raw[k];
      if (start < 0) start = i;
      end = j;
    }
    i = j + 1;
  }
  return start < 0 ? null : { kind: 'acrostic', text: out, start, end };
}

function wordInitials(raw: string): LeakView | null {
  let out = '';
  let prev = false;
  for (let i = 0; i < raw.length && out.length < MAX_VIEW_CHARS; i++) {
    const a = isAlnum(raw.charCodeAt(i));
    if (a && !prev) out += raw[i];
    prev = a;
  }
  return out === '' ? null : { kind: 'acrostic', text: out, start: 0, end: raw.length };
}

function printable(s: string): boolean {
  if (s.length === 0) return false;
  let ok = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 10 || c === 13 || c === 9) ok++;
  }
  return ok >= s.length * 0.9;
}

/**
 * Runs of hex bytes: digits in pairs, optionally "0x" or "\x" before each pair and up to two
 * separators (space, comma, colon, semicolon, dash) between pairs, at least `minBytes` bytes.
 */
function hexViews(raw: string, minBytes: number, out: LeakView[]): void {
  let i = 0;
  const n = raw.length;
  while (i < n) {
    if (!isHex(raw.charCodeAt(i)) && raw.charCodeAt(i) !== 92) {
      i++;
      continue;
    }
    // Not inside a word: the previous character must not be a letter or digit.
    if (i > 0 && isAlnum(raw.charCodeAt(i - 1))) {
      i++;
      while (i < n && isAlnum(raw.charCodeAt(i))) i++;
      continue;
    }
    const start = i;
    let bytes = '';
    let j = i;
    let end = i;
    for (;;) {
      let p = j;
      if (raw.charCodeAt(p) === 48 && (raw.charCodeAt(p + 1) === 120 || raw.charCodeAt(p + 1) === 88)) p += 2;
      else if (raw.charCodeAt(p) === 92 && raw.charCodeAt(p + 1) === 120) p += 2;
      // A run of pairs without separators ("61766f") or one pair, then separators.
      let q = p;
      while (q + 1 < n && isHex(raw.charCodeAt(q)) && isHex(raw.charCodeAt(q + 1))) q += 2;
      // An odd digit or a letter right after the pairs: a word, not hex bytes. Decoded only after
      // this test: most words starting with a-f ("because") fail it, and cost no string then.
      if (q === p || (q < n && isAlnum(raw.charCodeAt(q)))) break;
      for (let x = p; x < q; x += 2) bytes += String.fromCharCode(Number.parseInt(raw.slice(x, x + 2), 16));
      end = q;
      // "\x6d\x61": the next escape follows without a separator.
      if (raw.charCodeAt(q) === 92 && raw.charCodeAt(q + 1) === 120) {
        j = q;
        continue;
      }
      let r = q;
      while (r < n && r - q < 2 && ' ,:;-'.includes(raw.charAt(r))) r++;
      if (r === q || bytes.length >= MAX_VIEW_CHARS) break;
      j = r;
    }
    if (bytes.length >= minBytes && printable(bytes)) out.push({ kind: 'hex', text: bytes, start, end });
    i = Math.max(end, start + 1);
  }
}

function base64Views(raw: string, minChars: number, out: LeakView[]): void {
  let i = 0;
  const n = raw.length;
  while (i < n) {
    if (!isB64(raw.charCodeAt(i))) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && isB64(raw.charCodeAt(j))) j++;
    let end = j;
    while (end < n && end - j < 2 && raw.charCodeAt(end) === 61) end++;
    // Most runs are ordinary words, too short to look at: no slice, no test for them.
    const len = j - i;
    const run = len >= minChars && len <= MAX_VIEW_CHARS ? raw.slice(i, j) : '';
    // Plain words are not base64: a run needs a digit, or both cases after its first character.
    const mixed = run !== '' && (/[0-9+/]/.test(run) || (/[A-Z]/.test(run.slice(1)) && /[a-z]/.test(run)));
    if (mixed) {
      const text = Buffer.from(run.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('latin1');
      if (printable(text)) out.push({ kind: 'base64', text, start: i, end });
    }
    i = end;
  }
}

/** The views of `raw` that could hold a string of `codeChars` letters and digits. */
export function leakViews(raw: string, codeChars: number): LeakView[] {
  const out: LeakView[] = [];
  if (codeChars < MIN_CODE) return out;
  const lines = lineInitials(raw);
  if (lines !== null && lines.text.length >= codeChars) out.push(lines);
  if (codeChars >= MIN_WORD_ACROSTIC) {
    const words = wordInitials(raw);
    if (words !== null && words.text.length >= codeChars) out.push(words);
  }
  hexViews(raw, Math.max(3, codeChars), out);
  // base64 of n bytes is 4n/3 characters; a code's encoding is at least that long.
  base64Views(raw, Math.max(4, Math.floor((codeChars * 4) / 3)), out);
  return out;
}

/**
 * Whether `raw` has a run of base64 characters long enough for `minChars` decoded ones, or
 * `2 * minChars` hex digits with only separators, `x` or `\` between them. Prose has neither, and
 * this one loop of comparisons costs a fraction of the decoding loops it spares.
 */
function mayHoldEncoded(raw: string, minChars: number): boolean {
  const b64 = Math.ceil((minChars * 4) / 3);
  let run = 0;
  let hex = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (isB64(c)) {
      if (++run >= b64) return true;
    } else run = 0;
    if (isHex(c)) {
      if (++hex >= 2 * minChars) return true;
    } else if (
      !(c === 32 || c === 44 || c === 58 || c === 59 || c === 45 || c === 120 || c === 88 || c === 92)
    )
      hex = 0;
  }
  return false;
}

/**
 * Hex and base64 runs that decode to printable text of at least `minChars` characters: where a
 * passage of the system prompt may be hidden (similarity.ts compares the decoded text with it).
 */
export function encodedViews(raw: string, minChars: number): LeakView[] {
  const out: LeakView[] = [];
  if (!mayHoldEncoded(raw, minChars)) return out;
  hexViews(raw, minChars, out);
  base64Views(raw, Math.ceil((minChars * 4) / 3), out);
  return out;
}
