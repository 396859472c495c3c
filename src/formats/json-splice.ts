/**
 * The request's own bytes, reused for what no stage changed (issue 13): a body nothing touched is
 * forwarded as received, and one that a stage changed is spliced — each top-level field is either
 * its original text or the serialisation of its current value. Re-serialising the whole body on
 * every request was pure overhead for the fields (the conversation, usually most of the bytes) that
 * route pinning and the output clamp never touch.
 *
 * No bypass: the upstream must parse exactly the value the gateway inspected. So a field's original
 * text is reused only when all of this holds:
 *   - the body has no duplicate key at any depth (parsers disagree on which one wins): the number of
 *     keys in the text equals the number the parse kept;
 *   - the field holds no number (JSON.parse rounds `9007199254740993` and `1.00000000000000001`;
 *     the upstream's parser might not): such a field is written from the parsed value, unless it
 *     is a top-level number whose text is exactly its value's serialisation (`"max_tokens": 16`);
 *   - the field's current value is the value parsed from that text: the same primitive, or the same
 *     object, which the parse stage deep-froze, so that no stage can change it in place. A stage that
 *     changes a field assigns a new value (src/guard/input-stage.ts and src/guard/output/request.ts
 *     copy before they write); a write into a frozen value throws instead of going unnoticed.
 */

export interface RawField {
  /** The field's value text in `RawBody.text` (without surrounding blanks). */
  readonly start: number;
  readonly end: number;
  /** The value parsed from that text (frozen when an object). */
  readonly value: unknown;
}

export interface RawBody {
  /** The body as received. */
  readonly bytes: Buffer;
  /** Its UTF-8 decoding (a leading BOM removed). */
  readonly text: string;
  /** Top-level fields whose text may be reused (see the rules above). */
  readonly fields: ReadonlyMap<string, RawField>;
  /** Every top-level key, in the order received. */
  readonly order: readonly string[];
}

export interface TopLevelSpan {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  /** A number token occurs anywhere in the value. */
  readonly numbers: boolean;
}

const isBlank = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9;

/**
 * One linear pass over a JSON object's text (already accepted by JSON.parse): the span of each
 * top-level value, and how many keys the text has at every depth. Strings are skipped with
 * `indexOf`; no regex, no recursion.
 */
export function scanObjectText(text: string): { spans: TopLevelSpan[]; keys: number } | null {
  const spans: TopLevelSpan[] = [];
  const n = text.length;
  let keys = 0;
  let depth = 0;
  let key: string | null = null;
  let start = -1;
  let numbers = false;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // A string: its end is the next quote preceded by an even number of backslashes.
      let q = text.indexOf('"', i + 1);
      for (;;) {
        if (q < 0) return null;
        let b = q - 1;
        while (text.charCodeAt(b) === 92) b--;
        if ((q - 1 - b) % 2 === 0) break;
        q = text.indexOf('"', q + 1);
      }
      const after = q + 1;
      let k = after;
      while (k < n && isBlank(text.charCodeAt(k))) k++;
      if (text.charCodeAt(k) !== 58) {
        i = after;
        continue;
      }
      // A string followed by ':' is a key.
      keys++;
      if (depth === 1) {
        const quoted = text.slice(i, after);
        key = quoted.includes('\\') ? (JSON.parse(quoted) as string) : quoted.slice(1, -1);
        let v = k + 1;
        while (v < n && isBlank(text.charCodeAt(v))) v++;
        start = v;
        numbers = false;
        i = v;
        continue;
      }
      i = k + 1;
      continue;
    }
    if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93 || (c === 44 && depth === 1)) {
      if (depth === 1 && key !== null) {
        let e = i;
        while (e > start && isBlank(text.charCodeAt(e - 1))) e--;
        spans.push({ key, start, end: e, numbers });
        key = null;
      }
      if (c !== 44) depth--;
    } else if ((c >= 48 && c <= 57) || c === 45) {
      // Outside strings a digit or '-' is only ever part of a number (true/false/null have none).
      numbers = true;
    }
    i++;
  }
  return depth === 0 ? { spans, keys } : null;
}

/**
 * What of `text` may be reused, or null when nothing may (duplicate keys). `parsedKeys` is the
 * number of keys the parse kept, at every depth (src/edge/validate/json.ts counts them).
 */
export function rawBodyOf(
  bytes: Buffer,
  text: string,
  body: Readonly<Record<string, unknown>>,
  parsedKeys: number,
): RawBody | null {
  const scan = scanObjectText(text);
  if (scan === null || scan.keys !== parsedKeys) return null;
  const fields = new Map<string, RawField>();
  const order: string[] = [];
  for (const s of scan.spans) {
    order.push(s.key);
    const value = body[s.key];
    // A top-level number written exactly as JSON.stringify writes its value (`16`, `0.7`) reads
    // back the same anywhere; `1e2` or `0.50000000000000001` is written from the value instead.
    if (!s.numbers || (typeof value === 'number' && text.slice(s.start, s.end) === JSON.stringify(value)))
      fields.set(s.key, { start: s.start, end: s.end, value });
  }
  return { bytes, text, fields, order };
}

/**
 * The body to send: `raw.text` itself when every field is unchanged and in the received order,
 * else each field's original text where it may be reused and its serialisation otherwise, in the
 * order `JSON.stringify(body)` would write them. Without `raw`, `JSON.stringify(body)`.
 */
export function serialiseBody(raw: RawBody | undefined, body: Readonly<Record<string, unknown>>): string {
  if (raw === undefined) return JSON.stringify(body);
  let out = '';
  let written = 0;
  let verbatim = true;
  for (const k of Object.keys(body)) {
    const v = body[k];
    const f = raw.fields.get(k);
    let piece: string | undefined;
    if (f !== undefined && f.value === v) piece = raw.text.slice(f.start, f.end);
    else {
      verbatim = false;
      // undefined (a deleted field written as undefined) is left out, as JSON.stringify does.
      piece = JSON.stringify(v);
      if (piece === undefined) continue;
    }
    if (raw.order[written] !== k) verbatim = false;
    out += `${written === 0 ? '' : ','}${JSON.stringify(k)}:${piece}`;
    written++;
  }
  if (verbatim && written === raw.order.length) return raw.text;
  return `{${out}}`;
}
