import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MODES, OWN_FPR_BUDGET, pickOwnThreshold, runNested } from '../../../scripts/eval-nested.js';
import { assignFolds, groupRows, sourceKeys } from '../../../scripts/injection-groups.js';
import {
  MAX_GROUP_FPR,
  MIN_GROUP_BENIGN,
  pickThreshold,
  worstGroupFpr,
} from '../../../scripts/injection-train-lib.js';

const DEV = fileURLToPath(new URL('../../../../shared/datasets/injection-dev.jsonl', import.meta.url));

describe('nested evaluation: groups', () => {
  it('joins near-duplicates across sources and keeps a source dataset together', () => {
    const base = 'please write a short poem about the sea and the boats that sail on it at night';
    const rows = [
      { text: base, source: 'a/x/data/one.json#p' },
      { text: `${base} today`, source: 'b/y/other/two.json' },
      { text: 'how many apples are in the basket if I add three more', source: 'c/z/m/three.json' },
      { text: 'what is the capital of France', source: 'c/z/m/three.json#q' },
      { text: 'translate good morning into Spanish', source: 'd/w/n/four.json' },
    ];
    const { group } = groupRows(rows);
    expect(group[0]).toBe(group[1]);
    expect(group[2]).toBe(group[3]);
    expect(group[4]).not.toBe(group[0]);
    expect(group[4]).not.toBe(group[2]);
    const fold = assignFolds(group, 2);
    expect(fold[0]).toBe(fold[1]);
    expect(fold[2]).toBe(fold[3]);
  });

  it('reads a constructed row as a member of both source files', () => {
    expect(sourceKeys('o/r/data/gcg/gcg.txt+data/harm/h.txt#x')).toEqual(['gcg/gcg.txt', 'harm/h.txt']);
  });

  it('picks the lowest threshold of the flat F1 band within the false-positive cap', () => {
    // Probabilities of 4 attacks and 4 benign rows; no signature fires.
    const p = [0.9, 0.8, 0.7, 0.35, 0.6, 0.2, 0.1, 0.1];
    const labels = [1, 1, 1, 1, 0, 0, 0, 0] as const;
    const t = pickThreshold(new Array(8).fill(0), p, [...labels]);
    // 0.6 is a false positive (25 % FPR): the threshold must pass it and keep the three attacks.
    expect(t).toBeGreaterThan(0.6);
    expect(t).toBeLessThanOrEqual(0.7);
  });
});

describe('nested evaluation: the threshold bounds every held-out benign group', () => {
  // 10 attacks (group 0), 400 rows of ordinary chat the model scores low (group 1) and 40 rows of a
  // domain it has not learned (group 2, system prompts say) that score 0.55-0.74.
  const attacks = Array.from({ length: 10 }, (_, i) => 0.6 + 0.03 * i);
  const chat = new Array(400).fill(0.1);
  const unseen = Array.from({ length: 40 }, (_, i) => 0.55 + (i % 20) * 0.01);
  const p = [...attacks, ...chat, ...unseen];
  const labels = [
    ...attacks.map(() => 1 as const),
    ...chat.map(() => 0 as const),
    ...unseen.map(() => 0 as const),
  ];
  const groups = [...attacks.map(() => 0), ...chat.map(() => 1), ...unseen.map(() => 2)];
  const sig = new Array(p.length).fill(0);

  it('measures the worst group, groups too small to measure left out', () => {
    const pred = p.map((x) => x >= 0.6);
    expect(worstGroupFpr(pred, labels, groups)).toBeCloseTo(30 / 40);
    // The same false positives in a group under MIN_GROUP_BENIGN rows do not count.
    const few = labels.map((_, i) => (i >= 410 && i < 410 + MIN_GROUP_BENIGN - 1 ? 3 : groups[i]!));
    const predFew = p.map((x, i) => few[i] === 3 || (few[i] === 0 && x >= 0.6));
    expect(worstGroupFpr(predFew, labels, few)).toBe(0);
  });

  it('rises past the unseen domain that a pooled cap alone would let through', () => {
    // Half the attacks score 0.65, half 0.95; 8 of the unseen domain's 40 rows score 0.7: 8 of 440
    // benign rows is under the pooled cap, a fifth of that domain is not.
    const q = [
      ...attacks.map((_, i) => (i < 5 ? 0.65 : 0.95)),
      ...chat,
      ...unseen.map((_, i) => (i < 8 ? 0.7 : 0.2)),
    ];
    const pooledOnly = pickThreshold(sig, q, labels);
    const grouped = pickThreshold(sig, q, labels, groups);
    expect(pooledOnly).toBeLessThanOrEqual(0.65);
    expect(grouped).toBeGreaterThan(0.7);
    expect(
      worstGroupFpr(
        q.map((x) => x >= pooledOnly),
        labels,
        groups,
      ),
    ).toBeGreaterThan(MAX_GROUP_FPR);
    expect(
      worstGroupFpr(
        q.map((x) => x >= grouped),
        labels,
        groups,
      ),
    ).toBeLessThanOrEqual(MAX_GROUP_FPR);
  });

  it('only forbids adding false positives to a group the signatures already flag', () => {
    // Signatures flag a quarter of group 2: the score may add nothing there, and still catches the
    // attacks it separates from every benign row.
    const sigs = sig.map((_, i) => (groups[i] === 2 && i % 4 === 0 ? 1 : 0));
    const sep = p.map((x, i) => (labels[i] === 1 ? 0.9 : groups[i] === 2 ? 0.2 : x));
    expect(pickThreshold(sigs, sep, labels, groups)).toBeLessThanOrEqual(0.9);
    // The same scores with group 2's rows just under the attacks: every threshold that catches an
    // attack adds to that group, so the rule falls back to the threshold that adds least.
    const close = p.map((x, i) => (labels[i] === 1 ? 0.9 : groups[i] === 2 ? 0.89 : x));
    expect(pickThreshold(sigs, close, labels, groups)).toBeGreaterThan(0.89);
  });
});

describe('nested evaluation: the off-task score on its own threshold', () => {
  it('adds what it catches within its false-positive budget, or stays off', () => {
    // Other parts already catch row 0; the off-task score separates rows 1-2 from the benign 4-7.
    const caught = [1, 0, 0, 0, 0, 0, 0, 0];
    const labels = [1, 1, 1, 1, 0, 0, 0, 0] as const;
    const t = pickOwnThreshold(caught, [0.1, 0.9, 0.8, 0.2, 0.7, 0.3, 0.1, 0.1], [...labels]);
    expect(t).toBeGreaterThan(0.7);
    expect(t).toBeLessThanOrEqual(0.8);
    // Every threshold that catches an attack also raises a benign row first: off.
    const off = pickOwnThreshold(caught, [0.1, 0.5, 0.5, 0.2, 0.9, 0.3, 0.1, 0.1], [...labels]);
    expect(off).toBe(Number.POSITIVE_INFINITY);
    expect(OWN_FPR_BUDGET).toBeLessThan(0.25);
  });
});

/** A reduced copy of the dev sets shipped with the tests (test/fixtures/injection/README.md). */
const REDUCED = fileURLToPath(new URL('../../fixtures/injection/dev-reduced.jsonl', import.meta.url));

describe('nested evaluation on the dev set (reduced, runs in CI)', () => {
  const r = runNested({ data: [REDUCED], outer: 3, inner: 2, epochs: 4, l2: 1e-3, synthetic: 2 });

  it('scores every dev row exactly once, with thresholds chosen inside each outer fold', () => {
    expect(r.folds).toHaveLength(3);
    expect(r.folds.reduce((n, f) => n + f.n, 0)).toBe(r.rows);
    for (const m of MODES) {
      const s = r.pooled[m];
      expect(s.tp + s.fp + s.fn + s.tn).toBe(r.rows);
    }
    for (const f of r.folds)
      for (const m of MODES) {
        expect(f.byMode[m].threshold).toBeGreaterThanOrEqual(0.3);
        expect(f.byMode[m].threshold).toBeLessThanOrEqual(0.95);
      }
  });

  it('names the part behind every raised row of the per-source breakdown (--why)', () => {
    for (const [src, sc] of Object.entries(r.bySource)) {
      const w = r.whyBySource[src];
      const count = (m: Record<string, number> | undefined) =>
        Object.values(m ?? {}).reduce((a, b) => a + b, 0);
      // A row can be raised by several parts, never by none.
      expect(count(w?.benign)).toBeGreaterThanOrEqual(sc.fp);
      expect(count(w?.attack)).toBeGreaterThanOrEqual(sc.tp);
      for (const part of [...Object.keys(w?.benign ?? {}), ...Object.keys(w?.attack ?? {})])
        expect(part).toMatch(/^(signature|classifier|off-task|combiner:[a-z_]+)$/);
    }
  });

  it('stays above a floor well under the full run (bench/README.md): catches a broken pipeline', () => {
    expect(r.pooled.all.f1).toBeGreaterThan(0.4);
    expect(r.pooled.combined.f1).toBeGreaterThan(0.4);
    expect(r.pooled.combined.fpr).toBeLessThan(0.25);
    // The off-task score may only add rows to the combined view's catch.
    const c = r.pooled.combined;
    const o = r.pooled['combined+off-task'];
    expect(o.tp).toBeGreaterThanOrEqual(c.tp);
    expect(o.fp).toBeGreaterThanOrEqual(c.fp);
  });
});

describe.skipIf(!existsSync(DEV))('nested evaluation on the whole first-round dev file', () => {
  it('keeps its false-positive rate under the cap it was designed for', () => {
    const full = runNested({ data: [DEV], outer: 3, inner: 2, epochs: 4, l2: 1e-3, synthetic: 2 });
    expect(full.folds.reduce((n, f) => n + f.n, 0)).toBe(full.rows);
    expect(full.pooled.all.f1).toBeGreaterThan(0.5);
    expect(full.pooled.all.fpr).toBeLessThan(0.05);
  });
});
