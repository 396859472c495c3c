/**
 * The hold-back window of one text channel (a choice's content, a tool call's arguments ...).
 *
 * Text is released only up to a boundary behind which no detector can still change its mind:
 * - never inside the trailing run of printable ASCII (a key, an e-mail, a card without spaces, a
 *   placeholder: every token-shaped secret is such a run, and regexes anchored on its end are only
 *   final once it ends), nor inside the number groups before it ("4111 1111 11", "+1 (415) 555",
 *   "DE89 3704", "AB 12 34"), which multi-word PII patterns span;
 * - `windowChars` behind the newest character (an extra margin for multi-word matches such as names
 *   and addresses, when those detectors are on);
 * - never past the point a detector reports as open (a canary being spelled out, a passage that
 *   follows the system prompt);
 * - never inside a span that will be rewritten, nor between the two halves of a surrogate pair.
 * Held text is bounded by `maxHoldChars`; past it `onOverflow` decides. Every scan covers the held
 * text plus `contextChars` of released text, so a match that starts in released text (a keyword
 * before a password, the words that make a number a phone number) is still seen.
 * Offsets kept here are absolute (from the start of the channel); `buf` starts at `bufStart`.
 */
import { type RequestScanner, rewrites } from './scanner.js';
import type { Hit } from './types.js';

export interface ChannelOptions {
  readonly windowChars: number;
  readonly maxHoldChars: number;
  readonly onOverflow: 'release' | 'block';
  readonly scanStepChars: number;
  readonly contextChars: number;
}

/** Records verdicts; `block` throws (ending the stream). */
export interface ChannelSink {
  verdict(hit: Hit): void;
  block(hit: Hit): never;
  overflow(): never;
}

/** Start of the run of printable ASCII (no space) that ends at `end`. */
function runStart(text: string, end: number): number {
  let i = end;
  while (i > 0) {
    const c = text.charCodeAt(i - 1);
    if (c < 0x21 || c > 0x7e) break;
    i--;
  }
  return i;
}

// A group of a number written with spaces: digits with their punctuation ("(415)", "555-2671", "+1"),
// a short upper-case group (IBAN "DE89", NINO "JG", "A"), or an extension marker.
const GROUP = /^[+(]?[\d().\-/]+$|^[A-Z0-9]{1,4}$|^(?:[xX]|[eE][xX][tT]\.?)$/;

/**
 * A trailing run that no pattern can continue: a word of letters and digits closed by `,` `;` `!` or
 * `?`. No e-mail, key, card, phone, IBAN, SSN or address pattern takes one of these after a letter or
 * a digit (numbers are grouped by blanks, dots, dashes and slashes, never commas; a keyword secret
 * ends at `,` and `;`), so a token such as "Sure," "world!" "GPT4," or "2026," goes out at once
 * instead of waiting for the next token's blank. Digits count: BPE tokens of names, versions and
 * numbers carry them, and a word with a digit was held one token late (issue 13's paced bench). (`.`
 * is not a closer: "john." can go on as "john.smith@example.com"; nor `:`: "http:" goes on as a URL.)
 * The canary and the system-prompt passage have their own `openFrom`, applied whatever this says.
 */
const CLOSED_WORD = /^[A-Za-z0-9]+[,;!?]$/;
/** `,` `;` `!` `?`: a delta ending in one may have closed a word (CLOSED_WORD): worth a scan. */
const CLOSERS = new Set([0x2c, 0x3b, 0x21, 0x3f]);

/** Where the text that may still grow into a match begins: the trailing run and the number groups before it. */
export function holdStart(text: string): number {
  let i = runStart(text, text.length);
  if (i < text.length && text.length - i <= 64 && CLOSED_WORD.test(text.slice(i))) return text.length;
  for (;;) {
    let j = i;
    // At most two blanks between groups ("4111  1111" is still a card to the engine's pattern).
    while (j > 0 && i - j < 2 && (text.charCodeAt(j - 1) === 32 || text.charCodeAt(j - 1) === 9)) j--;
    if (j === i || j === 0) return i;
    const k = runStart(text, j);
    if (k === j || !GROUP.test(text.slice(k, j))) return i;
    i = k;
  }
}

/** Whether `text` holds a character that ends a run (a blank or any non-ASCII): a chance to release. */
function breaksRun(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return true;
  }
  return false;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

export class HoldBackChannel {
  private buf = '';
  private bufStart = 0;
  private released = 0;
  private skipUntil = 0;
  private scannedTo = 0;
  private sawBreak = false;
  /** Absolute offsets where an upstream delta began, not yet released. */
  private cuts: number[] = [];
  private readonly recorded = new Set<string>();

  constructor(
    private readonly scanner: RequestScanner,
    private readonly opts: ChannelOptions,
    private readonly sink: ChannelSink,
  ) {}

  /** Characters accepted so far (released or held). */
  get length(): number {
    return this.bufStart + this.buf.length;
  }

  /**
   * Adds text. Nothing is scanned here (the deliver loop calls `flush` once per upstream read, so a
   * burst of tokens costs one scan), unless the held text outgrew `maxHoldChars`.
   */
  push(text: string): string[] {
    if (text === '') return [];
    // Released text is cut where the upstream's deltas began, so the consumer gets the model's own
    // chunking back (delayed by the hold), not one blob per scan.
    if (this.buf.length > 0) this.cuts.push(this.bufStart + this.buf.length);
    this.buf += text;
    if (!this.sawBreak && (breaksRun(text) || CLOSERS.has(text.charCodeAt(text.length - 1))))
      this.sawBreak = true;
    if (this.bufStart + this.buf.length - this.released > this.opts.maxHoldChars) return this.step(false);
    return [];
  }

  /**
   * Scans what arrived since the last scan and returns what may be released. Skipped while no run
   * ended (nothing could be released), except every `scanStepChars` so open matches and the hold
   * limit are still checked on a long run.
   */
  flush(): string[] {
    const fresh = this.bufStart + this.buf.length - this.scannedTo;
    if (fresh === 0 || (!this.sawBreak && fresh < this.opts.scanStepChars)) return [];
    return this.step(false);
  }

  /** The end of the channel: everything left is scanned and released. */
  end(): string[] {
    if (this.bufStart + this.buf.length === this.released && this.scannedTo === this.released) return [];
    return this.step(true);
  }

  private step(final: boolean): string[] {
    const { buf, opts } = this;
    this.scannedTo = this.bufStart + buf.length;
    this.sawBreak = false;
    const rel = Math.max(0, this.released - this.bufStart);
    const hits = this.scanner.scan(buf);
    let b = buf.length;
    if (!final) {
      b = Math.min(buf.length - opts.windowChars, holdStart(buf), this.scanner.openFrom(buf));
      if (buf.length - Math.max(b, rel) > opts.maxHoldChars) {
        if (opts.onOverflow === 'block') this.sink.overflow();
        b = Math.max(b, buf.length - opts.maxHoldChars);
      }
    }
    // Act on every hit that is final: it starts before the boundary (or the channel ended).
    for (const h of hits) {
      if (!final && !h.whole && h.start >= b) continue;
      if (h.action === 'block') this.sink.block(h);
      if (h.action === 'restore') continue;
      const key = h.whole ? `w:${h.detector}:${h.type}` : `${this.bufStart + h.end}:${h.detector}:${h.type}`;
      if (this.recorded.has(key)) continue;
      this.recorded.add(key);
      this.sink.verdict(h);
    }
    const spans = hits.filter(rewrites);
    // Never release the first part of a span that is about to be rewritten.
    for (let moved = true; moved; ) {
      moved = false;
      for (const h of spans) {
        if (h.start < b && h.end > b && h.start >= rel) {
          b = h.start;
          moved = true;
        }
      }
    }
    // A delta that began with blanks ("  word1") whose word is held: hold its blanks too, so the
    // consumer gets the delta whole, one event, rather than the blank now and the word later.
    if (!final) b = this.wholeDeltaEnd(rel, b);
    // Never split a surrogate pair: each released piece is well-formed UTF-16.
    if (b > 0 && (b < buf.length || !final) && isHighSurrogate(buf.charCodeAt(b - 1))) b--;
    if (b <= rel) return [];
    const out = this.emit(spans, rel, b);
    this.skipUntil = Math.max(this.skipUntil, this.bufStart + out.i);
    this.released = this.bufStart + b;
    // Keep some released text as context for the next scan.
    const keep = Math.max(0, b - opts.contextChars);
    if (keep > 0) {
      this.buf = buf.slice(keep);
      this.bufStart += keep;
    }
    return out.pieces;
  }

  /** `b`, or the start of the delta it falls in when only blanks of that delta lie before it. */
  private wholeDeltaEnd(rel: number, b: number): number {
    const { buf, bufStart } = this;
    for (let k = this.cuts.length - 1; k >= 0; k--) {
      const c = (this.cuts[k] ?? 0) - bufStart;
      if (c > b) continue;
      // A cut before the released point: part of that delta is out already (nothing to keep whole).
      // A cut AT it (the previous delta just went out, e.g. "word3,"): the blank still waits for its word.
      if (c < rel || c === b) return b;
      for (let i = c; i < b; i++) {
        const ch = buf.charCodeAt(i);
        if (ch !== 32 && ch !== 9) return b;
      }
      return c;
    }
    return b;
  }

  /** The released text of [rel, b) with rewrites applied, cut at the upstream's delta boundaries. */
  private emit(spans: readonly Hit[], rel: number, b: number): { pieces: string[]; i: number } {
    const { buf, bufStart } = this;
    const cuts: number[] = [];
    for (const c of this.cuts) {
      const r = c - bufStart;
      // A delta boundary inside a surrogate pair is not a place to cut.
      if (r > rel && r < b && !isHighSurrogate(buf.charCodeAt(r - 1))) cuts.push(r);
    }
    this.cuts = this.cuts.filter((c) => c - bufStart >= b);
    const pieces: string[] = [];
    let cur = '';
    let ci = 0;
    const close = () => {
      if (cur !== '') pieces.push(cur);
      cur = '';
    };
    const raw = (from: number, to: number) => {
      let p = from;
      // Past the last cut, `cuts[ci]` is undefined and compares as +Infinity.
      for (let c = cuts[ci]; c !== undefined && c < to; c = cuts[ci]) {
        ci++;
        if (c > p) {
          cur += buf.slice(p, c);
          p = c;
        }
        close();
      }
      cur += buf.slice(p, to);
    };
    let i = Math.max(rel, this.skipUntil - bufStart);
    for (const h of spans) {
      if (h.end <= i || h.start >= b) continue;
      if (h.start > i) raw(i, h.start);
      while ((cuts[ci] ?? Number.POSITIVE_INFINITY) <= Math.max(i, h.start)) {
        ci++;
        close();
      }
      cur += h.replacement;
      // A rewritten span goes out whole in the piece where it starts.
      while ((cuts[ci] ?? Number.POSITIVE_INFINITY) < h.end) ci++;
      i = h.end;
    }
    if (i < b) raw(i, b);
    close();
    return { pieces, i };
  }
}
