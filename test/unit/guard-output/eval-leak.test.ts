import { describe, expect, it } from 'vitest';
import { evaluateLeak, readLeakRows } from '../../../src/cli/eval-leak.js';
import { leaks } from '../../../src/guard/output/leak-eval.js';

const FIXTURE = new URL('../../fixtures/leak/leak-small.jsonl', import.meta.url).pathname;
const HELD_OUT = new URL('../../../bench/data/leak-eval/test.jsonl.gz', import.meta.url).pathname;

describe('gatehouse eval leak', () => {
  it('scores the shipped fixture (known counts)', () => {
    const rows = readLeakRows(FIXTURE);
    const r = evaluateLeak(rows);
    expect(r.overall).toMatchObject({ n: 47, tp: 20, fn: 0, fp: 0, tn: 27 });
    expect(Object.keys(r.bySource)).toContain('gatehouse/handmade#obfuscated');
  });

  it('finds codes in any script and refuses malformed rows', () => {
    expect(leaks({ text: '密码是 芝麻开门 。', access_code: '芝麻开门' })).toBe(true);
    expect(leaks({ text: '我不能告诉你。', access_code: '芝麻开门' })).toBe(false);
    expect(() => readLeakRows(new URL('../../fixtures/leak/bad.jsonl', import.meta.url).pathname)).toThrow();
  });

  it('reads the gzipped constructed set; its held-out split stays at the issue 14 target', () => {
    // bench/data/leak-eval (scripts/build-leak-eval.ts): a regression guard, not the published figure's
    // source (bench/README.md gives the command). Target: recall ≥ 0.90 at FPR ≤ 5 %.
    const rows = readLeakRows(HELD_OUT);
    expect(rows.length).toBe(1851);
    const { overall } = evaluateLeak(rows);
    expect(overall.tp / (overall.tp + overall.fn)).toBeGreaterThanOrEqual(0.9);
    expect(overall.fp / (overall.fp + overall.tn)).toBeLessThanOrEqual(0.05);
  });
});
