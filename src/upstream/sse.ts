import { GatehouseError } from '../errors/gatehouse-error.js';

/**
 * Incremental SSE parser (WHATWG event-stream rules) that is correct across arbitrary chunk
 * boundaries: lines split anywhere, CRLF split between chunks, multi-byte UTF-8 split mid-sequence
 * (the streaming TextDecoder holds partial sequences), comments and keep-alives ignored.
 * Only `data` matters for OpenAI streams; `event` is kept for providers that use it.
 */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

const STREAM = { stream: true } as const;

export class SseParser {
  // The BOM is stripped here (once, at the start of the stream) rather than by the decoder, which
  // would also strip one at the start of any chunk it decodes after chunks that bypassed it.
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  /** Whether the decoder may hold the first bytes of a split multi-byte sequence. */
  private decoderPending = false;
  private atStart = true;
  private buf = '';
  /** Data lines of the event being read, joined by '\n'; null before the first one. */
  private data: string | null = null;
  private event = '';
  private lastWasCR = false;
  /** Guards against an upstream that never ends a line. */
  constructor(private readonly maxLineChars = 4 * 1024 * 1024) {}

  push(chunk: Uint8Array): SseEvent[] {
    return this.feed(this.decode(chunk));
  }

  /** Flushes the decoder at end of stream; a trailing event without its blank line is dropped, as the spec says. */
  end(): SseEvent[] {
    return this.feed(this.strip(this.decoder.decode()));
  }

  /**
   * A chunk that ends in ASCII, with nothing held by the streaming decoder, cannot split a
   * sequence: Buffer's native decoding gives the same text (same U+FFFD replacements) about five
   * times faster than a streaming TextDecoder. Anything else goes through the decoder.
   */
  private decode(chunk: Uint8Array): string {
    const n = chunk.length;
    if (n === 0) return '';
    let text: string;
    const lastByte = chunk[n - 1] ?? 0;
    if (!this.decoderPending && lastByte < 0x80) {
      const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, n);
      text = b.toString('utf8');
    } else {
      text = this.decoder.decode(chunk, STREAM);
      this.decoderPending = lastByte >= 0x80;
    }
    return this.strip(text);
  }

  private strip(text: string): string {
    if (!this.atStart || text.length === 0) return text;
    this.atStart = false;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  private feed(text: string): SseEvent[] {
    const out: SseEvent[] = [];
    let s = text;
    if (this.lastWasCR && s.startsWith('\n')) s = s.slice(1);
    this.lastWasCR = false;
    let start = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      const line = this.buf + s.slice(start, i);
      this.buf = '';
      if (c === 13) {
        if (i + 1 < s.length) {
          if (s.charCodeAt(i + 1) === 10) i++;
        } else this.lastWasCR = true;
      }
      start = i + 1;
      this.line(line, out);
    }
    this.buf += s.slice(start);
    // An upstream that never ends a line sends a malformed stream, not a gateway fault.
    if (this.buf.length > this.maxLineChars) throw new GatehouseError('GH_ERR_UPSTREAM_BAD_RESPONSE');
    return out;
  }

  private line(line: string, out: SseEvent[]): void {
    if (line === '') {
      if (this.data !== null) out.push({ event: this.event || 'message', data: this.data });
      this.data = null;
      this.event = '';
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ':' comment / keep-alive
    // `data:` is nearly every line of an OpenAI stream: no field slice for it.
    if (line.startsWith('data:')) {
      this.addData(line.slice(line.charCodeAt(5) === 32 ? 6 : 5));
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.addData(value);
    else if (field === 'event') this.event = value;
  }

  private addData(value: string): void {
    this.data = this.data === null ? value : `${this.data}\n${value}`;
  }
}
