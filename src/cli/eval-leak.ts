/**
 * `gatehouse eval leak FILE.jsonl [--json]`: the system-prompt leak detector on lines
 * (optionally gzipped, `.jsonl.gz`) `{"text": model output, "access_code": the secret the system prompt protected, "system_prompt"?, "label": 0|1, "source"?}`.
 * Prints the same figures as the other detectors (precision, recall, F1, false positives on label 0,
 * a breakdown by source, latency p50/p99), computed by src/cli/eval.ts. Runnable directly:
 * `npx tsx src/cli/eval-leak.ts test/fixtures/leak/leak-small.jsonl`.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { type LeakRow, leaks } from '../guard/output/leak-eval.js';
import { type EvalReport, type EvalRow, formatReports, report } from './eval.js';

export interface LeakEvalRow extends EvalRow, LeakRow {}

/** `by`: the row field the breakdown groups on (`source` by default; the constructed set also has `origin`, `group`). */
export function readLeakRows(path: string, by = 'source'): LeakEvalRow[] {
  // `.jsonl.gz`: the constructed set (bench/data/leak-eval) repeats each system prompt on every row.
  const raw = readFileSync(path);
  return (path.endsWith('.gz') ? gunzipSync(raw) : raw)
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      const r = JSON.parse(l) as Record<string, unknown>;
      if (
        typeof r.text !== 'string' ||
        typeof r.access_code !== 'string' ||
        (r.label !== 0 && r.label !== 1) ||
        (r.system_prompt !== undefined && r.system_prompt !== null && typeof r.system_prompt !== 'string')
      )
        throw new Error(`line ${i + 1}: expected {"text", "access_code", "system_prompt"?, "label": 0|1}`);
      return {
        text: r.text,
        access_code: r.access_code,
        ...(typeof r.system_prompt === 'string' ? { system_prompt: r.system_prompt } : {}),
        label: r.label,
        source: typeof r[by] === 'string' ? (r[by] as string) : '(none)',
      };
    });
}

export function evaluateLeak(rows: readonly LeakEvalRow[]): EvalReport {
  for (const r of rows.slice(0, 20)) leaks(r); // warm-up: JIT
  const pred: boolean[] = [];
  const times: number[] = [];
  for (const r of rows) {
    const t0 = performance.now();
    pred.push(leaks(r));
    times.push(performance.now() - t0);
  }
  return report('gatehouse', pred, rows, times);
}

/** The same report layout as the other detectors. */
export function formatLeakReport(file: string, r: EvalReport): string {
  return formatReports('leak', file, [r]);
}

const USAGE = 'usage: gatehouse eval leak FILE.jsonl[.gz] [--by FIELD] [--json]\n';

/** argv after `leak`: FILE.jsonl[.gz] [--by FIELD] [--json]. */
export async function runEvalLeak(argv: string[]): Promise<number> {
  let parsed: { values: { json?: boolean; by?: string }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      options: { json: { type: 'boolean' }, by: { type: 'string' } },
      allowPositionals: true,
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const [file] = parsed.positionals;
  if (file === undefined || parsed.positionals.length > 1) {
    process.stderr.write(USAGE);
    return 2;
  }
  let rows: LeakEvalRow[];
  try {
    rows = readLeakRows(file, parsed.values.by);
  } catch (err) {
    process.stderr.write(`cannot read ${file}: ${(err as Error).message}\n`);
    return 1;
  }
  const r = evaluateLeak(rows);
  process.stdout.write(
    parsed.values.json === true
      ? `${JSON.stringify({ task: 'leak', file, reports: [r] }, null, 2)}\n`
      : formatLeakReport(file, r),
  );
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runEvalLeak(process.argv.slice(2)).then((code) => process.exit(code));
}
