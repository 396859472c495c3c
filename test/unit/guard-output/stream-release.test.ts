/**
 * When streamed text is released (issue 13): a delta that ends a word no pattern can continue goes
 * out in the same upstream read, and a delta's leading blank is never sent apart from its word.
 */
import { describe, expect, it } from 'vitest';
import { prepareRequest } from '../../../src/guard/output/request.js';
import { OUTPUT_GUARD_REQUEST } from '../../../src/guard/output/slots.js';
import { createStreamInspector } from '../../../src/guard/output/stream-inspector.js';
import type { StreamChunk } from '../../../src/pipeline/context.js';
import { fakeContext, guardFor } from './harness.js';

/** Feeds one delta per upstream read; returns what the consumer got after each read. */
function perRead(deltas: readonly string[], policy: unknown = {}): string[][] {
  const ctx = fakeContext({ messages: [{ role: 'user', content: 'hi' }] });
  const req = prepareRequest(ctx, guardFor(policy));
  OUTPUT_GUARD_REQUEST.set(ctx, req);
  const insp = createStreamInspector(ctx, req);
  const texts = (list: StreamChunk[]) =>
    list.flatMap((c) => {
      const d = (c.choices as Array<{ delta?: { content?: string } }> | undefined)?.[0]?.delta?.content;
      return typeof d === 'string' && d !== '' ? [d] : [];
    });
  const chunk = (content: string): StreamChunk => ({
    id: 'c',
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  });
  return deltas.map((d) => {
    const flush = insp.flush;
    return [...texts(insp.onChunk(chunk(d))), ...(flush === undefined ? [] : texts(flush()))];
  });
}

// The default output policy: no names or addresses (their detectors hold a window of words on purpose).
const NO_MULTIWORD = {};

describe('stream release', () => {
  it('a word closed by , ; ! or ? is released in the read that brought it', () => {
    const got = perRead(['Sure,', ' here', ' it', ' is!', ' Done?'], NO_MULTIWORD);
    expect(got[0]).toEqual(['Sure,']);
    expect(got[3]?.join('')).toContain(' is!');
    expect(got[4]?.join('')).toContain(' Done?');
  });

  it('an open word is held until it ends, then goes out with its leading blank, as one piece', () => {
    const got = perRead(['Hello', ' world', ' again'], NO_MULTIWORD);
    expect(got[0]).toEqual([]);
    // "world" may still grow (into "world@example.com"): held; " world" is not split into " " + "world".
    expect(got[1]).toEqual(['Hello']);
    expect(got[2]).toEqual([' world']);
  });

  it('a word of letters and digits closed by a comma is released at once (the bench mock: " word3,")', () => {
    const got = perRead(['word0', ' word1', ' word2', ' word3,', ' word4', ' 2026,', ' GPT4!'], NO_MULTIWORD);
    expect(got[3]).toEqual([' word2', ' word3,']);
    expect(got[5]).toEqual([' word4', ' 2026,']);
    expect(got[6]).toEqual([' GPT4!']);
  });

  it("the delta after a released one keeps its leading blank: one event, not ' ' then the word", () => {
    const got = perRead(['Sure,', ' here', ' it', ' is.'], NO_MULTIWORD);
    expect(got[0]).toEqual(['Sure,']);
    expect(got[1]).toEqual([]);
    expect(got[2]).toEqual([' here']);
    expect(got[3]).toEqual([' it']);
  });

  it('a word followed by "." stays held: it may be the start of an e-mail address', () => {
    const got = perRead(['Write', ' to', ' john.', 'smith', '@example.com', ' now'], NO_MULTIWORD);
    const all = got.flat().join('');
    expect(all).not.toContain('john');
    expect(all).not.toContain('smith');
  });
});
