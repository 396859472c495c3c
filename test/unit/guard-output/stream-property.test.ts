import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chatStream } from '../../integration/guard-output/sse-upstream.js';
import { runStream } from './harness.js';

const SECRET = ['ghp', '_', 'R8s2Kd93LmQp0vXz7TbNw4YcHe6JuA1oFg5i'].join('');

/** Cuts `bytes` at the given sorted offsets. */
function cut(bytes: Uint8Array, at: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const a of [...new Set(at)].sort((x, y) => x - y)) {
    if (a <= prev || a >= bytes.length) continue;
    out.push(bytes.subarray(prev, a));
    prev = a;
  }
  out.push(bytes.subarray(prev));
  return out;
}

function cutText(text: string, at: number[]): string[] {
  const out: string[] = [];
  let prev = 0;
  for (const a of [...new Set(at)].sort((x, y) => x - y)) {
    if (a <= prev || a >= text.length) continue;
    out.push(text.slice(prev, a));
    prev = a;
  }
  out.push(text.slice(prev));
  return out;
}

// Values the default policy redacts or blocks, multi-word ones included.
const SENSITIVE = [
  'bob@example.org',
  '4111111111111111',
  '5500 0000 0000 0004',
  '+1 415 555 2671',
  'DE89 3704 0044 0532 0130 00',
  '078-05-1120',
  'JG 10 32 53 A',
  SECRET,
];

// Recorded answers: clean text with multi-byte characters, redactions, and one that must be blocked.
const RECORDED = [
  'Bonjour 👋🏽, voici la réponse: 日本語テキスト, and the total is 42 € — thanks!',
  'Write to alice@example.com or call the card 4111 1111 1111 1111 on file; ok 😀.',
  `Sure, the deploy token is ${SECRET}, keep it safe.`,
  'Plain words '.repeat(40),
];

describe('stream verdict does not depend on where the stream is cut', () => {
  it.each(RECORDED.map((t, i) => [i, t]))('recorded stream %i: any split of the SSE bytes', (_i, text) => {
    const bytes = new TextEncoder().encode(chatStream(text.split(/(?<= )/)));
    const whole = runStream([bytes]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 40 }), (at) => {
        const split = runStream(cut(bytes, at));
        expect(split.error).toBe(whole.error);
        // Blocked: what went out before the block (it depends on the reads) is a clean prefix.
        if (whole.error === null) expect(split.text).toBe(whole.text);
        else expect(text.startsWith(split.text) && !split.text.includes('ghp_')).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('any split of the answer text into deltas gives the verdict of the unsplit answer', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...RECORDED),
        fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 60 }),
        (text, at) => {
          const whole = runStream([new TextEncoder().encode(chatStream([text]))]);
          const split = runStream([new TextEncoder().encode(chatStream(cutText(text, at)))]);
          expect(split.error).toBe(whole.error);
          // Blocked: what went out before the block is a clean prefix of the answer.
          if (whole.error === null) expect(split.text).toBe(whole.text);
          else expect(text.startsWith(split.text)).toBe(true);
          // Nothing flagged is ever released, whatever the cut.
          expect(split.text).not.toContain('4111 1111');
          expect(split.text).not.toContain('alice@');
          expect(split.text).not.toContain(SECRET.slice(0, 8));
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each(SENSITIVE)('%s in a sentence, one character per chunk: never released', (v) => {
    const text = `Here it is: ${v} — and the rest of the answer follows here.`;
    const whole = runStream([new TextEncoder().encode(chatStream([text]))]);
    const split = runStream([new TextEncoder().encode(chatStream([...text]))]);
    expect(split.error).toBe(whole.error);
    // Blocked: only a clean prefix went out; redacted: the same text as the whole answer.
    if (whole.error === null) expect(split.text).toBe(whole.text);
    else expect(text.startsWith(split.text)).toBe(true);
    expect(split.text).not.toContain(v.slice(-6));
  });

  it('random text with sensitive values inserted: never released, same verdict split or not', () => {
    // (A word ending in a digit right before a card makes the engine's card pattern take one digit
    // too many and miss the card; that is the detector's concern, not the stream's.)
    const word = fc.constantFrom(
      'the',
      'a',
      'report',
      'é',
      '😀',
      'naïve',
      'x',
      '—',
      '\n',
      'ok.',
      '[',
      '-',
      '@',
      // Words closed by a comma or "!": released at once (issue 13), digits included.
      'word7,',
      '2026,',
      'GPT4!',
    );
    const sensitive = fc.constantFrom(...SENSITIVE);
    fc.assert(
      fc.property(
        fc.array(fc.oneof({ weight: 8, arbitrary: word }, { weight: 1, arbitrary: sensitive }), {
          maxLength: 60,
        }),
        fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 40 }),
        (parts, at) => {
          // A word before each value: two numbers side by side are one number to the engine's patterns.
          // Every other value is closed by a comma: the run that ends it is then released at once.
          const text = parts
            .map((p, i) => (SENSITIVE.includes(p) ? `and ${p}${i % 2 === 0 ? ',' : ''}` : p))
            .join(' ');
          const whole = runStream([new TextEncoder().encode(chatStream([text]))]);
          const split = runStream([new TextEncoder().encode(chatStream(cutText(text, at)))]);
          expect(split.error).toBe(whole.error);
          if (whole.error === null) expect(split.text).toBe(whole.text);
          // What the whole-answer verdict hides, no cut reveals (even in part).
          for (const v of SENSITIVE)
            if (!whole.text.includes(v)) expect(split.text).not.toContain(v.slice(-8));
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
