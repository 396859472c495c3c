import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countInputTokens } from '../../src/edge/validate/count.js';
import { mapsFor } from '../../src/formats/fields/maps.js';

/**
 * CPU cost of walking the field map over issue 13's ~1 KB chat body (bench/configs/prompt-1k.json),
 * with a trivial counter (length / 4) so only the walk is measured, in µs per walk, four rounds:
 *
 *   node --import tsx bench/micro/field-walk.ts [walks]
 */
const N = Number(process.argv[2] ?? 300_000);
const HERE = dirname(fileURLToPath(import.meta.url));
const messages = JSON.parse(readFileSync(join(HERE, '..', 'configs', 'prompt-1k.json'), 'utf8')) as unknown;
const body = { model: 'bench', messages, max_tokens: 64 };
const map = mapsFor().chat;
const count = (t: string) => t.length >> 2;
for (let r = 0; r < 4; r++) {
  const t = process.cpuUsage();
  let s = 0;
  for (let i = 0; i < N; i++) s += countInputTokens(map, body, count);
  const c = process.cpuUsage(t);
  process.stdout.write(`${((c.user + c.system) / N).toFixed(2)} µs per walk (checksum ${s})\n`);
}
