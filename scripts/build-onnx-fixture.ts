/**
 * Writes the tiny ONNX classifiers and their tokenizer to test/fixtures/onnx/ (see
 * scripts/onnx-fixture-lib.ts for what they compute). The output is byte-identical on every run;
 * test/unit/guard/onnx-fixture.test.ts regenerates it in memory and compares.
 *
 *   node --import tsx scripts/build-onnx-fixture.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildOnnxFixtures } from './onnx-fixture-lib.js';

const dir = fileURLToPath(new URL('../test/fixtures/onnx/', import.meta.url));
mkdirSync(dir, { recursive: true });
for (const [name, bytes] of Object.entries(buildOnnxFixtures())) {
  writeFileSync(`${dir}${name}`, bytes);
  console.log(`${name}: ${bytes.length} bytes`);
}
