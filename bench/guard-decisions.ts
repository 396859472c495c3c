/**
 * Every finding of the built-in input detectors on every row of the dev sets, one JSON line per row
 * and detector: the fingerprint that a change meant to be purely a speed-up must leave identical
 * (issue 13). Compare two runs with `diff` or `cmp`.
 *
 *   nice -n 19 npx tsx bench/guard-decisions.ts > .tmp/decisions-after.jsonl
 */

import { readRows } from '../src/cli/eval.js';
import { guardSchema } from '../src/config/schema/guard.js';
import { scanText } from '../src/guard/engine.js';
import { buildSharedDetectors } from '../src/guard/registry.js';

const FILES = ['injection-dev.jsonl', 'injection-dev-more.jsonl', 'pii-dev.jsonl', 'secrets-dev.jsonl'];
const dir = process.argv[2] ?? '../shared/datasets';
const cfg = guardSchema.parse({});
const shared = buildSharedDetectors(cfg);
const limits = { decode: { ...cfg.decode, minEncodedLength: 16 }, maxScanChars: cfg.maxScanChars };
for (const file of FILES) {
  const rows = readRows(`${dir}/${file}`);
  rows.forEach((r, i) => {
    for (const [name, d] of shared) {
      for (const kind of ['user', 'indirect'] as const) {
        if (kind === 'indirect' && name !== 'injection') continue;
        const { findings } = scanText(
          r.text,
          kind,
          [d],
          limits,
          undefined,
          kind === 'indirect' ? 'Summarise this.' : undefined,
        );
        process.stdout.write(`${JSON.stringify({ file, i, name, kind, findings })}\n`);
      }
    }
  });
}
