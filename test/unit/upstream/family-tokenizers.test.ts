import llama3 from 'llama3-tokenizer-js';
import mistralTok from 'mistral-tokenizer-js';
import { describe, expect, it } from 'vitest';
import { loadTokenCounter, MAX_TOKEN_BYTES } from '../../../src/upstream/tokenizer.js';
import { ANTHROPIC_MARGIN } from '../../../src/upstream/tokenizers/families.js';

const PROSE =
  'Gatehouse counts the tokens of a prompt with the vocabulary of the model that will serve it, so that an input cap of 8,192 tokens means 8,192 tokens to Llama 3 or to Mistral and not to some other tokenizer. ' +
  'The quick brown fox jumps over the lazy dog; numbers like 12345 and 3.14159 and punctuation (parentheses, "quotes", em—dashes) all count. ';
const TEXTS = [PROSE, PROSE.repeat(7), `Mixed: ${'naïve café résumé '.repeat(20)} and Ελληνικά λόγια here`];

describe('family tokenizers (exact counts per model family)', () => {
  it('llama3: the chunked count equals the vocabulary encoder on whole texts', async () => {
    const count = await loadTokenCounter('llama3');
    for (const t of TEXTS) expect(count(t)).toBe(llama3.encode(t, { bos: false, eos: false }).length);
  });

  it("llama3: no token is longer than the lower bound's MAX_TOKEN_BYTES", () => {
    let max = 0;
    for (let id = 0; id < llama3.vocabById.length; id++) {
      if (llama3.vocabById[id] === undefined) continue;
      max = Math.max(max, Buffer.byteLength(llama3.decode([id])));
    }
    expect(max).toBeLessThanOrEqual(MAX_TOKEN_BYTES);
  });

  it('mistral: the chunked count equals the SentencePiece encoder on prose', async () => {
    const count = await loadTokenCounter('mistral');
    for (const t of TEXTS) expect(count(t)).toBe(mistralTok.encode(t, false, true).length);
  });

  it('mistral: a hard cut (no space for 128 characters) errs high, never low', async () => {
    const count = await loadTokenCounter('mistral');
    for (const t of ['x'.repeat(5000), '7'.repeat(3000), 'données'.repeat(400)]) {
      const exact = mistralTok.encode(t, false, true).length;
      expect(count(t)).toBeGreaterThanOrEqual(exact);
    }
  });

  it("mistral: the vocabulary has what the chunking argument needs (no '▁' after another character; short pieces)", () => {
    let max = 0;
    for (const piece of mistralTok.vocabById) {
      if (typeof piece !== 'string' || /^<.*>$/.test(piece)) continue;
      expect(/[^▁]▁/.test(piece), piece).toBe(false);
      max = Math.max(max, Buffer.byteLength(piece.replaceAll('▁', ' ')));
    }
    expect(max).toBeLessThanOrEqual(MAX_TOKEN_BYTES);
  });

  it('the families count differently from OpenAI: a cap must use the serving model', async () => {
    const cjk = '你好，世界。今天的天气很好，我们去公园散步吧。'.repeat(20);
    const [o200k, mistral] = [await loadTokenCounter('o200k_base'), await loadTokenCounter('mistral')];
    expect(mistral(cjk)).toBeGreaterThan(o200k(cjk) * 1.3);
  });

  it('anthropic_estimate: cl100k_base times the documented margin, rounded up; within(cap) stops past the cap', async () => {
    const [cl, est] = [await loadTokenCounter('cl100k_base'), await loadTokenCounter('anthropic_estimate')];
    for (const t of TEXTS) expect(est(t)).toBe(Math.ceil(cl(t) * ANTHROPIC_MARGIN));
    const within = est.within(50);
    expect(within(PROSE.repeat(50))).toBeGreaterThan(50);
  });

  it('within(cap) of a family counter is exact under the cap and above it past the cap', async () => {
    const count = await loadTokenCounter('llama3');
    const exact = count(PROSE);
    expect(count.within(exact)(PROSE)).toBe(exact);
    expect(count.within(10)(PROSE.repeat(100))).toBeGreaterThan(10);
  });
});
