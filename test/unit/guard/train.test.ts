import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { InjectionModelFile } from '../../../src/guard/detectors/injection-model.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const data = join(root, '../shared/datasets/injection-dev.jsonl');

describe('scripts/train-injection.ts', () => {
  it.skipIf(!existsSync(data))(
    'reproduces the shipped weights from the dataset',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'gh-train-'));
      try {
        const out = join(dir, 'injection.json');
        execFileSync(
          process.execPath,
          ['--import', 'tsx', 'scripts/train-injection.ts', '--data', data, '--out', out],
          { cwd: root, stdio: 'pipe' },
        );
        const fresh = JSON.parse(readFileSync(out, 'utf8')) as InjectionModelFile;
        const shipped = JSON.parse(
          readFileSync(join(root, 'models/injection.json'), 'utf8'),
        ) as InjectionModelFile;
        expect(fresh.threshold).toBe(shipped.threshold);
        expect(fresh.trainedOn).toBe(shipped.trainedOn);
        expect(fresh.combiner?.threshold).toBe(shipped.combiner?.threshold);
        fresh.combiner?.weights.forEach((w, i) => {
          expect(w).toBeCloseTo(shipped.combiner?.weights[i] ?? Number.NaN, 3);
        });
        const a = Buffer.from(fresh.weights, 'base64');
        const b = Buffer.from(shipped.weights, 'base64');
        expect(a.length).toBe(b.length);
        // Same seeds and order give the same weights; allow rare ±1 quantisation flips from libm differences.
        let differ = 0;
        for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differ++;
        expect(differ / a.length).toBeLessThan(0.001);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
