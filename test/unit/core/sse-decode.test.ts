import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseParser } from '../../../src/upstream/sse.js';

/** The WHATWG event-stream algorithm over the whole stream at once: the reference the parser must match. */
function reference(bytes: Uint8Array): string[] {
  const text = new TextDecoder('utf-8').decode(bytes);
  const out: string[] = [];
  let data: string[] = [];
  for (const line of text.split(/\r\n|\r|\n/).slice(0, -1)) {
    if (line === '') {
      if (data.length > 0) out.push(data.join('\n'));
      data = [];
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
  }
  return out;
}

function parse(parts: Uint8Array[]): string[] {
  const p = new SseParser();
  const out: string[] = [];
  for (const part of parts) for (const e of p.push(part)) out.push(e.data);
  for (const e of p.end()) out.push(e.data);
  return out;
}

const enc = new TextEncoder();
// Pieces that exercise the decoder fast path and its fallbacks: BOMs, multi-byte and invalid UTF-8,
// every line ending, fields with and without a space, comments.
const piece = fc.oneof(
  fc.constantFrom(
    'data: ',
    'data:',
    'data',
    'event: x',
    ': ping',
    'id: 1',
    '\n',
    '\r',
    '\r\n',
    '\n\n',
    'data: [DONE]\n\n',
  ),
  fc.constantFrom('\uFEFF', 'é', '世界', '👋', '{"a":1}', ' '),
  fc.string({ maxLength: 6 }),
);
const stream = fc
  .tuple(
    fc.array(
      fc.oneof(
        piece.map((s) => enc.encode(s)),
        fc.uint8Array({ maxLength: 4 }),
      ),
      { maxLength: 30 },
    ),
    fc.array(fc.nat(), { maxLength: 12 }),
  )
  .map(([chunks, cuts]) => {
    const whole = Buffer.concat(chunks);
    const points = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b);
    const parts: Uint8Array[] = [];
    let prev = 0;
    for (const p of points) {
      parts.push(whole.subarray(prev, p));
      prev = p;
    }
    parts.push(whole.subarray(prev));
    return { whole, parts };
  });

describe('SseParser decoding', () => {
  it('matches the whole-stream reference for any bytes split anywhere', () => {
    fc.assert(
      fc.property(stream, ({ whole, parts }) => {
        expect(parse(parts)).toEqual(reference(whole));
      }),
      { numRuns: 3000 },
    );
  });

  it('strips a BOM only at the start of the stream, even when a later chunk starts with one', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const parts = [
      Buffer.concat([bom, Buffer.from('data: a\n\n')]),
      Buffer.from('data: b'),
      bom,
      Buffer.from('é\n\n'),
    ];
    expect(parse(parts)).toEqual(['a', 'b\uFEFFé']);
    expect(parse([bom.subarray(0, 1), bom.subarray(1), Buffer.from('data: c\n\n')])).toEqual(['c']);
  });

  it('replaces invalid UTF-8 the same way whichever decoding path a chunk takes', () => {
    const bad = Buffer.from([0x64, 0x61, 0x74, 0x61, 0x3a, 0xc3, 0x28, 0xe2, 0x82, 0x0a, 0x0a]);
    expect(parse([bad])).toEqual(reference(bad));
    expect(parse([bad.subarray(0, 7), bad.subarray(7)])).toEqual(reference(bad));
  });
});
