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

export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  private buf = '';
  private data: string[] = [];
  private event = '';
  private lastWasCR = false;
  /** Guards against an upstream that never ends a line. */
  constructor(private readonly maxLineChars = 4 * 1024 * 1024) {}

  push(chunk: Uint8Array): SseEvent[] {
    return this.feed(this.decoder.decode(chunk, { stream: true }));
  }

  /** Flushes the decoder at end of stream; a trailing event without its blank line is dropped, as the spec says. */
  end(): SseEvent[] {
    return this.feed(this.decoder.decode());
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
    if (this.buf.length > this.maxLineChars) throw new Error('SSE line too long');
    return out;
  }

  private line(line: string, out: SseEvent[]): void {
    if (line === '') {
      if (this.data.length > 0) out.push({ event: this.event || 'message', data: this.data.join('\n') });
      this.data = [];
      this.event = '';
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ':' comment / keep-alive
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
  }
}
