import { beforeAll, describe, expect, it } from 'vitest';
import { budgetLimits, OutputBudget, PIECE_CHARS, take } from '../../../src/upstream/output-budget.js';
import { loadTokenCounter } from '../../../src/upstream/tokenizer.js';

let tokens: (text: string) => number;
/** The real tokenizer, with the characters it was given counted (work measured in operations). */
let work = 0;
const count = (text: string) => {
  work += text.length;
  return tokens(text);
};

beforeAll(async () => {
  tokens = await loadTokenCounter('o200k_base');
});

const chatChunk = (index: number, content: string, finish: string | null = null) => ({
  id: 'c',
  choices: [{ index, delta: { content }, finish_reason: finish }],
});

describe('take: the longest prefix within a budget', () => {
  it.each([
    ['words', 'the quick brown fox jumps over the lazy dog '.repeat(2_000)],
    ['one character', 'x'.repeat(200_000)],
    ['one multi-byte character', 'é'.repeat(100_000)],
    ['emoji (surrogate pairs)', '😀'.repeat(50_000)],
    ['digits', '7'.repeat(200_000)],
    ['whitespace', ' '.repeat(200_000)],
    ['combining marks', `a${'\u0301'.repeat(100_000)}`],
  ])('%s: kept text fits, the cut is not a lone surrogate, work is bounded by what is kept', (_n, text) => {
    for (const room of [0, 1, 17, 500]) {
      work = 0;
      const t = take(count, text, room);
      expect(t.cut).toBe(true);
      expect(t.tokens).toBeLessThanOrEqual(room);
      // Recounting the whole kept text would itself be the slow unbroken-run count: pieces suffice.
      if (t.text.length <= PIECE_CHARS || _n === 'words') expect(tokens(t.text)).toBeLessThanOrEqual(room);
      expect(text.startsWith(t.text)).toBe(true);
      expect(/[\uD800-\uDBFF]$/.test(t.text)).toBe(false);
      // Never the whole input: the pieces up to the cut, then a binary search in one piece.
      const kept = t.text.length + PIECE_CHARS;
      expect(work).toBeLessThanOrEqual(kept + 10 * PIECE_CHARS);
    }
  });

  it('a text within the budget is kept whole, counted once', () => {
    work = 0;
    const t = take(count, 'hello world', 10);
    expect(t).toEqual({ text: 'hello world', tokens: 2, cut: false });
    expect(work).toBe('hello world'.length);
  });
});

describe('OutputBudget on streams', () => {
  it('cuts the delta that crosses the budget and marks finish_reason length; later deltas are dropped', () => {
    const b = new OutputBudget(count, { perChoice: 3, choices: 1 }, 'chat');
    const a = chatChunk(0, ' one two');
    b.chunk(a);
    expect(a.choices[0]?.delta.content).toBe(' one two');
    expect(b.ended).toBe(false);
    const c = chatChunk(0, ' three four five');
    b.chunk(c);
    expect(c.choices[0]?.delta.content).toBe(' three');
    expect(c.choices[0]?.finish_reason).toBe('length');
    expect(b.tokens).toBe(3);
    expect(b.ended).toBe(true);
    const d = chatChunk(0, ' six');
    b.chunk(d);
    expect(d.choices).toEqual([]);
  });

  it('n = 2: each choice has its own budget; the stream ends when both finished', () => {
    const b = new OutputBudget(count, { perChoice: 2, choices: 2 }, 'chat');
    const x = chatChunk(0, ' a b c');
    b.chunk(x);
    expect(x.choices[0]?.finish_reason).toBe('length');
    expect(b.ended).toBe(false);
    const y = chatChunk(1, ' d');
    b.chunk(y);
    expect(y.choices[0]?.finish_reason).toBeNull();
    expect(b.ended).toBe(false);
    b.chunk(chatChunk(1, ' e f'));
    expect(b.ended).toBe(true);
    expect(b.tokens).toBe(4);
  });

  it('an index the request cannot have is dropped (state stays bounded)', () => {
    const b = new OutputBudget(count, { perChoice: 5, choices: 1 }, 'chat');
    const c = chatChunk(7, 'x');
    b.chunk(c);
    expect(c.choices).toEqual([]);
    expect(b.tokens).toBe(0);
  });

  it('output after a natural finish ends the stream (an upstream that does not stop)', () => {
    const b = new OutputBudget(count, { perChoice: 50, choices: 2 }, 'completions');
    b.chunk({ choices: [{ index: 0, text: ' done', finish_reason: 'stop' }] });
    expect(b.ended).toBe(false);
    const more = { choices: [{ index: 0, text: ' more', finish_reason: null }] };
    b.chunk(more);
    expect(more.choices).toEqual([]);
    expect(b.ended).toBe(true);
  });

  it('tool-call arguments count and are cut too', () => {
    const b = new OutputBudget(count, { perChoice: 4, choices: 1 }, 'chat');
    const c = {
      choices: [
        {
          index: 0,
          delta: {
            tool_calls: [
              { index: 0, function: { name: 'f', arguments: '{"a": "one two three four five"}' } },
              { index: 1, function: { name: 'g', arguments: '{}' } },
            ],
          },
          finish_reason: null,
        },
      ],
    };
    b.chunk(c);
    const choice = c.choices[0] as { delta: { tool_calls: unknown[] }; finish_reason: string | null };
    expect(choice.finish_reason).toBe('length');
    expect(choice.delta.tool_calls).toHaveLength(1);
    expect(b.tokens).toBeLessThanOrEqual(4);
  });
});

describe('OutputBudget on whole answers', () => {
  it('cuts each choice of an answer and leaves answers within budget alone', () => {
    const b = new OutputBudget(count, { perChoice: 2, choices: 2 }, 'chat');
    const json = {
      choices: [
        { index: 0, message: { role: 'assistant', content: ' a b c d' }, finish_reason: 'stop' },
        { index: 1, message: { role: 'assistant', content: ' e' }, finish_reason: 'stop' },
      ],
    };
    b.answer(json);
    expect(json.choices.map((c) => [c.message.content, c.finish_reason])).toEqual([
      [' a b', 'length'],
      [' e', 'stop'],
    ]);
    expect(b.tokens).toBe(3);
  });
});

describe('budgetLimits', () => {
  it('per choice is the clamp; batched completions prompts multiply the choices; echo adds the prompt', () => {
    expect(budgetLimits('chat', { n: 3 }, 300, 10)).toEqual({ perChoice: 100, choices: 3 });
    expect(budgetLimits('completions', { prompt: ['a', 'b'], n: 2 }, 40, 10)).toEqual({
      perChoice: 20,
      choices: 4,
    });
    expect(budgetLimits('completions', { prompt: [1, 2, 3] }, 40, 10)).toEqual({ perChoice: 40, choices: 1 });
    expect(budgetLimits('completions', { prompt: 'x', echo: true }, 40, 10)).toEqual({
      perChoice: 50,
      choices: 1,
    });
    expect(budgetLimits('embeddings', { input: 'x' }, 0, 10)).toBeNull();
  });
});
