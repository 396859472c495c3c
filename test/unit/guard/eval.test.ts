import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { evaluate, readRows, runEvalCommand, score } from '../../../src/cli/eval.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/guard/eval-small.jsonl', import.meta.url));

describe('gatehouse eval', () => {
  it('scores a confusion matrix', () => {
    const rows = [1, 1, 0, 0].map((label) => ({ text: '', label: label as 0 | 1, source: 's' }));
    const s = score([true, false, true, false], rows);
    expect(s).toMatchObject({ tp: 1, fn: 1, fp: 1, tn: 1, precision: 0.5, recall: 0.5, f1: 0.5, fpr: 0.5 });
  });

  it('reports known scores on a small fixture, overall and by source', async () => {
    // Two attacks caught, one "attack" that is an ordinary question (missed), two benign rows passed.
    const { reports } = await evaluate('injection', readRows(FIXTURE), { peers: false, kind: 'user' });
    const r = reports[0]!;
    expect(r.overall).toMatchObject({ n: 5, tp: 2, fn: 1, fp: 0, tn: 2, precision: 1, fpr: 0 });
    expect(r.overall.recall).toBeCloseTo(2 / 3, 6);
    expect(r.overall.f1).toBeCloseTo(0.8, 6);
    expect(r.bySource.a).toMatchObject({ tp: 2, fn: 0 });
    expect(r.bySource.b).toMatchObject({ tp: 0, fn: 1, fp: 0, tn: 2 });
    expect(r.latencyMs.p99).toBeGreaterThanOrEqual(r.latencyMs.p50);
  });

  it('prints JSON with --json and refuses bad arguments', async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      out.push(String(s));
      return true;
    });
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runEvalCommand(['injection', FIXTURE, '--json'])).toBe(0);
      const parsed = JSON.parse(out.join('')) as { reports: Array<{ overall: { tp: number } }> };
      expect(parsed.reports[0]!.overall.tp).toBe(2);
      expect(await runEvalCommand(['nonsense', FIXTURE])).toBe(2);
      expect(await runEvalCommand(['pii'])).toBe(2);
    } finally {
      spy.mockRestore();
      err.mockRestore();
    }
  });
});
