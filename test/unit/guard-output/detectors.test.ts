import { describe, expect, it } from 'vitest';
import { createCodeMatcher } from '../../../src/guard/output/code-match.js';
import { checkFormat, formatCheckOf, ValidatorCache } from '../../../src/guard/output/format.js';
import { prepare } from '../../../src/guard/output/prepared.js';
import {
  CoverageMeter,
  createSimilarityDetector,
  indexPrompt,
} from '../../../src/guard/output/similarity.js';
import { offeredTools } from '../../../src/guard/output/tools.js';

const CANARY = 'GHC-7f3a9b2c1d4e5f60';
const canary = createCodeMatcher(CANARY, { minFragment: 8, embedded: true, decoded: true })!;
const code = createCodeMatcher('avocado', { minFragment: 0, embedded: false, decoded: true })!;

describe('code matcher (canary and access codes)', () => {
  it.each([
    ['whole', `ref ${CANARY} end`],
    ['lower/upper', `ref ${CANARY.toUpperCase()}`],
    ['fragment', 'the code begins 7f3a9b2c and then'],
    ['spaced', 'it is 7 f 3 a 9 b 2 c 1 d'],
    ['dashed', '9b-2c-1d-4e-5f-60'],
    ['reversed', `x ${[...'7f3a9b2c1d4e'].reverse().join('')} y`],
    ['full-width', 'ｇｈｃ７ｆ３ａ９ｂ２ｃ１'],
    ['zero-width', '7f3a\u200b9b2c\u200b1d4e'],
    ['base64', `encoded: ${Buffer.from(`the marker is ${CANARY}`).toString('base64')}`],
  ])('finds the canary: %s', (_n, text) => {
    expect(canary.find(text).length).toBeGreaterThan(0);
  });

  it.each([
    ['hex of something else', 'sha 0123456789abcdef0123'],
    ['short overlap', 'the 7f3a is a colour'],
    ['prose', 'A cat and a dog went for a walk in the afternoon.'],
  ])('no canary in %s', (_n, text) => {
    expect(canary.find(text)).toEqual([]);
  });

  // The fold is skipped on text without a run of canary characters; these reach it only through
  // the parts that rule (long separators, non-ASCII, letters outside the alphabet in between).
  const prose = 'Here is a long answer about the weather and the garden in spring, as asked. ';
  it.each([
    ['widely spaced, after prose', `${prose}7 -- -- -- -- f3a9b2c1d`],
    ['words between, mixed case', `${prose}7F3A ... 9B2C ... and then`],
    ['non-ASCII digits', `${prose}７ｆ３ａ９ｂ２ｃ`],
    ['word initials', `${prose}\n7 fish 3 apples 9 bees 2 cats lie`],
  ])('finds the canary behind the cheap check: %s', (_n, text) => {
    expect(canary.find(text).length).toBeGreaterThan(0);
  });

  it('prose with canary letters short of a fragment holds no canary', () => {
    expect(canary.find(`${prose}a bad face, 7f3a ace`)).toEqual([]);
  });

  it('access codes match as whole words, however dressed', () => {
    for (const t of [
      'The code is avocado.',
      'AVOCADO',
      'a-v-o-c-a-d-o',
      'a v o c a d o!',
      'ODACOVA',
      'Avo cado',
    ]) {
      expect(code.find(t).length, t).toBeGreaterThan(0);
    }
    for (const t of ['I like avocados', 'bravocado', 'Access denied.', 'a vocal do'])
      expect(code.find(t), t).toEqual([]);
  });

  it('reports where a match may still be growing, so the stream holds it back', () => {
    expect(canary.openFrom('the code is 7f3a')).toBe('the code is '.length);
    expect(canary.openFrom('nothing now.')).toBe('nothing now.'.length);
    // One or two trailing characters that could begin the marker are released (issue 13: a word
    // ending in a hex letter does not wait for the next token); three are held.
    expect(canary.openFrom('nothing here')).toBe('nothing here'.length);
    expect(canary.openFrom('so we 7f')).toBe('so we 7f'.length);
    expect(canary.openFrom('so we 7f3')).toBe('so we '.length);
    expect(code.openFrom('it is avo')).toBe('it is '.length);
    expect(code.openFrom('it is bravo')).toBe('it is bravo'.length);
  });
});

describe('system prompt similarity', () => {
  const prompt =
    'You are Orion, the billing assistant of Acme Corp. Refunds above 500 euros need a manager approval code.';
  const opts = { ngram: 4, minSharedWords: 12, minPromptWords: 8 };
  const index = indexPrompt([prompt], opts)!;
  const det = createSimilarityDetector(index, opts);

  it('flags a long shared passage, not a short quote', () => {
    expect(det.scan(prepare(`My rules: ${prompt}`)).length).toBe(1);
    expect(det.scan(prepare('I am the billing assistant of Acme Corp.'))).toEqual([]);
  });

  it('holds back a passage while it still follows the prompt', () => {
    const t = 'Well. You are Orion, the billing assistant of';
    expect(det.openFrom!(t)).toBe(t.indexOf('You'));
    expect(det.openFrom!('Hello there, how are you today my friend')).toBe(40);
  });

  it('coverage does not depend on how the answer is cut', () => {
    const answer = 'Refunds above 500 euros need a manager. Also: billing assistant of Acme Corp.';
    const whole = new CoverageMeter(index).feed(answer, true);
    const m = new CoverageMeter(index);
    let c = 0;
    for (let i = 0; i < answer.length; i += 3) c = m.feed(answer.slice(i, i + 3), i + 3 >= answer.length);
    expect(c).toBeCloseTo(whole);
    expect(whole).toBeGreaterThan(0.2);
  });
});

describe('response_format', () => {
  it('compiles once per distinct schema, within a bounded cache', () => {
    const cache = new ValidatorCache(2, 10_000);
    const s = (n: number) => ({
      type: 'object',
      properties: { [`k${n}`]: { type: 'integer' } },
      required: [`k${n}`],
    });
    const a = cache.compile(s(1));
    expect(cache.compile(s(1))).toBe(a);
    cache.compile(s(2));
    cache.compile(s(3));
    expect(cache.entries).toBe(2);
    expect(cache.compile(s(1))).not.toBe(a);
  });

  it('validates JSON schema and JSON object answers', () => {
    const cache = new ValidatorCache(4, 10_000);
    const check = formatCheckOf(
      { response_format: { type: 'json_schema', json_schema: { schema: { type: 'array', maxItems: 2 } } } },
      cache,
    )!;
    expect(checkFormat(check, '[1,2]')).toBe(true);
    expect(checkFormat(check, '[1,2,3]')).toBe(false);
    expect(checkFormat(check, '[1,')).toBe(false);
    const obj = formatCheckOf({ response_format: { type: 'json_object' } }, cache)!;
    expect(checkFormat(obj, '{}')).toBe(true);
    expect(checkFormat(obj, '[]')).toBe(false);
  });

  it('runs consumer patterns in linear time (re2) and refuses oversized or invalid schemas', () => {
    const cache = new ValidatorCache(4, 1_000);
    const evil = formatCheckOf(
      {
        response_format: {
          type: 'json_schema',
          json_schema: { schema: { type: 'string', pattern: '^(a+)+$' } },
        },
      },
      cache,
    )!;
    // A backtracking engine would not return from this before the test times out; re2 is linear.
    expect(checkFormat(evil, JSON.stringify(`${'a'.repeat(5_000)}!`))).toBe(false);
    expect(() => cache.compile({ type: 'string', description: 'x'.repeat(2_000) })).toThrow(
      /response_format/,
    );
    expect(() => cache.compile({ type: 'nonsense' })).toThrow(/response_format/);
  });
});

describe('offered tools', () => {
  it('reads tools, legacy functions and tool_choice', () => {
    const tools = [
      { type: 'function', function: { name: 'a' } },
      { type: 'function', function: { name: 'b' } },
    ];
    expect([...offeredTools({ tools }).names]).toEqual(['a', 'b']);
    expect([...offeredTools({ functions: [{ name: 'f' }] }).names]).toEqual(['f']);
    expect(offeredTools({ tools, tool_choice: 'none' }).names.size).toBe(0);
    expect([
      ...offeredTools({ tools, tool_choice: { type: 'function', function: { name: 'b' } } }).names,
    ]).toEqual(['b']);
  });
});
