/**
 * `gatehouse eval <injection|pii|secrets> FILE.jsonl [--json] [--peers] [--kind user|indirect]`
 *
 * Reads `{"text", "label", "source"?}` lines and reports precision, recall, F1, the false-positive
 * rate on label 0, a breakdown by `source`, and per-text latency p50/p99 of the built-in detectors
 * (normalisation and bounded decoding included, exactly as the input stage runs them). `--peers` runs
 * the npm peers (eval-peers.ts) on the same rows, side by side. Also runnable directly:
 * `npx tsx src/cli/eval.ts injection ../shared/datasets/injection-dev.jsonl`.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { guardSchema } from '../config/schema/guard.js';
import { scanText } from '../guard/engine.js';
import { buildSharedDetectors } from '../guard/registry.js';
import type { Detector, SegmentKind } from '../guard/types.js';
import { type EvalTask, loadPeers } from './eval-peers.js';

const TASKS: readonly EvalTask[] = ['injection', 'pii', 'secrets'];

export interface EvalRow {
  readonly text: string;
  readonly label: 0 | 1;
  readonly source: string;
}

export interface Scores {
  readonly n: number;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly fpr: number;
}

export interface EvalReport {
  readonly name: string;
  readonly overall: Scores;
  readonly bySource: Record<string, Scores>;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly mean: number };
}

export function score(pred: readonly boolean[], rows: readonly EvalRow[]): Scores {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  pred.forEach((p, i) => {
    const y = rows[i]?.label === 1;
    if (p && y) tp++;
    else if (p) fp++;
    else if (y) fn++;
    else tn++;
  });
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { n: rows.length, tp, fp, fn, tn, precision, recall, f1, fpr: fp + tn === 0 ? 0 : fp / (fp + tn) };
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

export function report(
  name: string,
  pred: readonly boolean[],
  rows: readonly EvalRow[],
  times: readonly number[],
): EvalReport {
  const groups = new Map<string, { pred: boolean[]; rows: EvalRow[] }>();
  rows.forEach((r, i) => {
    const g = groups.get(r.source) ?? { pred: [], rows: [] };
    g.pred.push(pred[i] === true);
    g.rows.push(r);
    groups.set(r.source, g);
  });
  const bySource: Record<string, Scores> = {};
  for (const [src, g] of [...groups].sort(([a], [b]) => a.localeCompare(b)))
    bySource[src] = score(g.pred, g.rows);
  const sorted = [...times].sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / Math.max(1, times.length);
  return {
    name,
    overall: score(pred, rows),
    bySource,
    latencyMs: { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), mean },
  };
}

export function readRows(path: string): EvalRow[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      const r = JSON.parse(l) as { text?: unknown; label?: unknown; source?: unknown };
      if (typeof r.text !== 'string' || (r.label !== 0 && r.label !== 1))
        throw new Error(`line ${i + 1}: expected {"text": string, "label": 0|1}`);
      return { text: r.text, label: r.label, source: typeof r.source === 'string' ? r.source : '(none)' };
    });
}

/** The built-in prediction for one task: the detector and when a scan counts as positive. */
export function builtinPredictor(task: EvalTask, kind: SegmentKind = 'user'): (text: string) => boolean {
  const cfg = guardSchema.parse({});
  const shared = buildSharedDetectors(cfg);
  const detector = shared.get(task);
  if (detector === undefined) throw new Error(`eval: no built-in detector for ${task}`);
  const detectors: Detector[] = [detector];
  const limits = { decode: { ...cfg.decode, minEncodedLength: 16 }, maxScanChars: cfg.maxScanChars };
  // Injection uses the default route threshold (0.5 on the shared scale); PII and secrets any finding.
  return (text) => {
    const { findings } = scanText(text, kind, detectors, limits);
    return task === 'injection' ? findings.some((f) => f.score >= 0.5) : findings.length > 0;
  };
}

export async function evaluate(
  task: EvalTask,
  rows: readonly EvalRow[],
  opts: { peers: boolean; kind: SegmentKind },
): Promise<{ reports: EvalReport[]; unavailable: string[] }> {
  const predict = builtinPredictor(task, opts.kind);
  for (const r of rows.slice(0, 20)) predict(r.text); // warm-up: JIT and lazy regex compilation
  const reports: EvalReport[] = [];
  const run = async (name: string, fn: (t: string) => boolean | Promise<boolean>): Promise<void> => {
    const pred: boolean[] = [];
    const times: number[] = [];
    for (const r of rows) {
      const t0 = performance.now();
      pred.push(await fn(r.text));
      times.push(performance.now() - t0);
    }
    reports.push(report(name, pred, rows, times));
  };
  await run('gatehouse', predict);
  let unavailable: string[] = [];
  if (opts.peers) {
    const loaded = await loadPeers(task);
    unavailable = loaded.unavailable;
    for (const p of loaded.peers) await run(p.name, p.detect);
  }
  return { reports, unavailable };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

export function formatReports(task: EvalTask | 'leak', file: string, reports: readonly EvalReport[]): string {
  const lines = [`eval ${task} on ${file}`, ''];
  lines.push(
    '| detector | n | precision | recall | F1 | FPR (label 0) | p50 ms | p99 ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const r of reports) {
    const o = r.overall;
    lines.push(
      `| ${r.name} | ${o.n} | ${pct(o.precision)} | ${pct(o.recall)} | ${o.f1.toFixed(3)} | ${pct(o.fpr)} | ${r.latencyMs.p50.toFixed(3)} | ${r.latencyMs.p99.toFixed(3)} |`,
    );
  }
  for (const r of reports) {
    lines.push(
      '',
      `${r.name} by source:`,
      '| source | n | recall (label 1) | FPR (label 0) |',
      '|---|---:|---:|---:|',
    );
    for (const [src, s] of Object.entries(r.bySource)) {
      const pos = s.tp + s.fn;
      const neg = s.fp + s.tn;
      lines.push(
        `| ${src} | ${s.n} | ${pos === 0 ? '-' : `${pct(s.recall)} (${s.tp}/${pos})`} | ${neg === 0 ? '-' : `${pct(s.fpr)} (${s.fp}/${neg})`} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

const USAGE =
  'usage: gatehouse eval <injection|pii|secrets> FILE.jsonl [--json] [--peers] [--kind user|indirect]\n';

export async function runEvalCommand(argv: string[]): Promise<number> {
  let parsed: ReturnType<
    typeof parseArgs<{
      options: { json: { type: 'boolean' }; peers: { type: 'boolean' }; kind: { type: 'string' } };
      allowPositionals: true;
    }>
  >;
  try {
    parsed = parseArgs({
      args: argv,
      options: { json: { type: 'boolean' }, peers: { type: 'boolean' }, kind: { type: 'string' } },
      allowPositionals: true,
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const [task, file] = parsed.positionals;
  const kind = parsed.values.kind ?? 'user';
  if (!TASKS.includes(task as EvalTask) || file === undefined || (kind !== 'user' && kind !== 'indirect')) {
    process.stderr.write(USAGE);
    return 2;
  }
  let rows: EvalRow[];
  try {
    rows = readRows(file);
  } catch (err) {
    process.stderr.write(`cannot read ${file}: ${(err as Error).message}\n`);
    return 1;
  }
  const { reports, unavailable } = await evaluate(task as EvalTask, rows, {
    peers: parsed.values.peers === true,
    kind,
  });
  for (const u of unavailable) process.stderr.write(`peer unavailable: ${u}\n`);
  process.stdout.write(
    parsed.values.json === true
      ? `${JSON.stringify({ task, file, reports }, null, 2)}\n`
      : formatReports(task as EvalTask, file, reports),
  );
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runEvalCommand(process.argv.slice(2)).then((code) => process.exit(code));
}
