import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseParser } from '../../../src/upstream/sse.js';

function parseAll(parts: Uint8Array[]): string[] {
  const p = new SseParser();
  const out: string[] = [];
  for (const part of parts) for (const e of p.push(part)) out.push(e.data);
  for (const e of p.end()) out.push(e.data);
  return out;
}

function splitAt(buf: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    parts.push(buf.subarray(prev, p));
    prev = p;
  }
  parts.push(buf.subarray(prev));
  return parts;
}

const stream = Buffer.from(
  ': keep-alive\n\n' +
    'data: {"a":"héllo 👋 世界"}\r\n\r\n' +
    'event: message\ndata: line1\ndata: line2\n\n' +
    'data:no-space\r\rdata: [DONE]\n\n',
);

describe('SseParser', () => {
  it('parses events, comments, CRLF/CR endings and multi-line data', () => {
    expect(parseAll([stream])).toEqual(['{"a":"héllo 👋 世界"}', 'line1\nline2', 'no-space', '[DONE]']);
  });

  it('gives the same events for any split at any byte boundary', () => {
    const whole = parseAll([stream]);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 40 }), (cuts) => {
        expect(parseAll(splitAt(stream, cuts))).toEqual(whole);
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same events when fed one byte at a time', () => {
    const bytes = [...stream].map((b) => Uint8Array.of(b));
    expect(parseAll(bytes)).toEqual(parseAll([stream]));
  });

  it('drops a trailing event without its blank line', () => {
    expect(parseAll([Buffer.from('data: a\n\ndata: b')])).toEqual(['a']);
  });

  it('bounds a line that never ends', () => {
    const p = new SseParser(1024);
    // A malformed upstream stream, not a gateway fault: it gets the upstream's code.
    expect(() => p.push(Buffer.alloc(2048, 0x61))).toThrow(
      expect.objectContaining({ code: 'GH_ERR_UPSTREAM_BAD_RESPONSE' }),
    );
  });
});
