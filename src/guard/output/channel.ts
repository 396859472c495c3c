/**
 * The hold-back window of one text channel (a choice's content, a tool call's arguments ...).
 *
 * Text is released only up to a boundary behind which no detector can still change its mind:
 * - `windowChars` behind the newest character (a multi-word match is seen whole first);
 * - never inside the trailing run of printable ASCII (a key, an e-mail, a card without spaces, a
 *   placeholder: every token-shaped secret is such a run, and regexes anchored on its end are only
 *   final once it ends);
 * - never past the point a detector reports as open (a canary being spelled out, a passage that
 *   follows the system prompt);
 * - never inside a span that will be rewritten.
 * Held text is bounded by `maxHoldChars`; past it `onOverflow` decides. Every scan covers the held
 * text plus `contextChars` of released text, so a match that starts in released text is still seen.
 * Offsets kept here are absolute (from the start of the channel); `buf` starts at `bufStart`.
 */

import type { RequestScanner } from './scanner.js';
import { rewrites } from './scanner.js';
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

/** Start of the trailing run of printable ASCII (no space), or text.length. */
export function trailingRunStart(text: string): number {
  let i = text.length;
  while (i > 0) {
    const c = text.charCodeAt(i - 1);
    if (c < 0x21 || c > 0x7e) break;
    i--;
  }
  return i;
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

  /** Adds text; returns what may be released now (possibly rewritten, possibly ''). */
  push(text: string): string {
    if (text === '') return '';
    this.buf += text;
    const end = this.bufStart + this.buf.length;
    if (end - this.scannedTo < this.opts.scanStepChars && end - this.released <= this.opts.maxHoldChars)
      return '';
    return this.step(false);
  }

  /** The end of the channel: everything left is scanned and released. */
  end(): string {
    if (this.bufStart + this.buf.length === this.released && this.scannedTo === this.released) return '';
    return this.step(true);
  }

  private step(final: boolean): string {
    const { buf, opts } = this;
    this.scannedTo = this.bufStart + buf.length;
    const rel = Math.max(0, this.released - this.bufStart);
    const hits = this.scanner.scan(buf);
    let b = buf.length;
    if (!final) {
      b = Math.min(buf.length - opts.windowChars, trailingRunStart(buf), this.scanner.openFrom(buf));
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
    // Never split a surrogate pair: each released piece is well-formed UTF-16.
    if (b > 0 && b < buf.length && isHighSurrogate(buf.charCodeAt(b - 1))) b--;
    if (b <= rel) return '';
    let out = '';
    let i = Math.max(rel, this.skipUntil - this.bufStart);
    for (const h of spans) {
      if (h.end <= i || h.start >= b) continue;
      if (h.start > i) out += buf.slice(i, h.start);
      out += h.replacement;
      i = h.end;
    }
    if (i < b) out += buf.slice(i, b);
    this.skipUntil = Math.max(this.skipUntil, this.bufStart + i);
    this.released = this.bufStart + b;
    // Keep some released text as context for the next scan.
    const keep = Math.max(0, b - opts.contextChars);
    if (keep > 0) {
      this.buf = buf.slice(keep);
      this.bufStart += keep;
    }
    return out;
  }
}
