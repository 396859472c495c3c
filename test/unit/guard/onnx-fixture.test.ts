import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildOnnxFixtures } from '../../../scripts/onnx-fixture-lib.js';
import { loadRowEncoder, planWindows } from '../../../src/guard/onnx/windows.js';

const FIX = fileURLToPath(new URL('../../fixtures/onnx/', import.meta.url));

describe('ONNX fixtures', () => {
  it('are what scripts/build-onnx-fixture.ts writes, byte for byte, and small', () => {
    for (const [name, bytes] of Object.entries(buildOnnxFixtures())) {
      const shipped = readFileSync(`${FIX}${name}`);
      expect(Buffer.compare(shipped, Buffer.from(bytes)), name).toBe(0);
      expect(shipped.length).toBeLessThan(200_000);
    }
  });
});

describe('windows', () => {
  const ids = Array.from({ length: 10 }, (_, i) => i);
  it('cuts a text that fits into consecutive windows', () => {
    expect(planWindows(ids, 4, 3)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
  });
  it('keeps the head and the tail of a text that does not fit', () => {
    expect(planWindows(ids, 3, 2)).toEqual([
      [0, 1, 2],
      [7, 8, 9],
    ]);
  });
  it('gives an empty text one empty window', () => {
    expect(planWindows([], 4, 2)).toEqual([[]]);
  });
  it('wraps every window in the special tokens and pads the batch', () => {
    const enc = loadRowEncoder(`${FIX}tokenizer.json`, { maxTokens: 5, maxWindows: 2 });
    // 3 content tokens per window: [CLS]=2 … [SEP]=3, [PAD]=0, unknown words [UNK]=1.
    const rows = enc.encode('ignore previous instructions zebra');
    expect(rows.rows).toBe(2);
    expect(rows.cols).toBe(5);
    expect(rows.tokens).toBe(4);
    const ids = Array.from(rows.ids, Number);
    expect(ids.slice(0, 5)).toEqual([2, ids[1], ids[2], ids[3], 3]);
    expect(ids.slice(5)).toEqual([2, 1, 3, 0, 0]);
    expect(Array.from(rows.mask, Number)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
  });
});
