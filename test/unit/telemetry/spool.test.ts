import { appendFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Spool, SpoolLockedError } from '../../../src/telemetry/spool.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'gh-spool-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const open = (dir: string, over: Partial<{ maxBytes: number; segmentBytes: number }> = {}) =>
  Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 4096, fsync: false, ...over });

describe('spool', () => {
  it('is a FIFO: reads what was appended, in order, and ack consumes it', () => {
    const s = open(tmp());
    for (let i = 0; i < 10; i++) expect(s.append(`{"n":${i}}`)).toBe(true);
    expect(s.depth).toBe(10);
    const a = s.read(4, 1 << 20);
    expect(a.lines.map(String)).toEqual([0, 1, 2, 3].map((n) => `{"n":${n}}`));
    // Reading again without ack gives the same lines (at-least-once).
    expect(s.read(4, 1 << 20).lines.map(String)).toEqual(a.lines.map(String));
    s.ack(a);
    expect(s.depth).toBe(6);
    expect(s.read(100, 1 << 20).lines).toHaveLength(6);
    s.close();
  });

  it('keeps unacknowledged lines across a restart and resumes at the cursor', () => {
    const dir = tmp();
    const s1 = open(dir);
    for (let i = 0; i < 500; i++) s1.append(JSON.stringify({ n: i, pad: 'x'.repeat(40) }));
    s1.ack(s1.read(120, 1 << 20));
    s1.close();
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg')).length).toBeGreaterThan(1);

    const s2 = open(dir);
    expect(s2.depth).toBe(380);
    const got: number[] = [];
    for (;;) {
      const b = s2.read(64, 8192);
      if (b.lines.length === 0) break;
      for (const l of b.lines) got.push((JSON.parse(l.toString()) as { n: number }).n);
      s2.ack(b);
    }
    expect(got).toEqual(Array.from({ length: 380 }, (_, i) => i + 120));
    expect(s2.depth).toBe(0);
    // Spent segments are deleted.
    expect(readdirSync(dir).filter((f) => f.endsWith('.seg')).length).toBe(1);
    s2.close();
  });

  it('is bounded: refuses and counts what does not fit, and accepts again once drained', () => {
    const s = open(tmp(), { maxBytes: 100 });
    let accepted = 0;
    for (let i = 0; i < 20; i++) if (s.append('x'.repeat(19))) accepted++;
    expect(accepted).toBe(5);
    expect(s.dropped).toBe(15);
    expect(s.full).toBe(true);
    s.ack(s.read(100, 1 << 20));
    expect(s.append('y')).toBe(true);
    expect(s.full).toBe(false);
    s.close();
  });

  it('cuts a half-written last line left by a crash', () => {
    const dir = tmp();
    const s1 = open(dir);
    s1.append('{"a":1}');
    s1.append('{"a":2}');
    s1.close();
    const seg = readdirSync(dir).find((f) => f.endsWith('.seg'))!;
    appendFileSync(join(dir, seg), '{"a":3, "trunc');
    const s2 = open(dir);
    expect(s2.depth).toBe(2);
    expect(s2.read(10, 1 << 20).lines.map(String)).toEqual(['{"a":1}', '{"a":2}']);
    s2.append('{"a":4}');
    expect(s2.read(10, 1 << 20).lines.map(String)).toEqual(['{"a":1}', '{"a":2}', '{"a":4}']);
    s2.close();
  });

  it('refuses a directory another live process holds', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'lock'), String(process.ppid));
    expect(() => open(dir)).toThrow(SpoolLockedError);
  });

  it('reads a line longer than the batch byte budget whole', () => {
    const s = open(tmp());
    const big = 'z'.repeat(20_000);
    s.append(big);
    s.append('small');
    const b = s.read(10, 100);
    expect(b.lines.map(String)).toEqual([big]);
    s.ack(b);
    expect(s.read(10, 100).lines.map(String)).toEqual(['small']);
    s.close();
  });
});
