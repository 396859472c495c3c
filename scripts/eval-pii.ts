/**
 * The PII figure, grouped, with what the dev figure owes to the lexicon:
 *
 *   npx tsx scripts/eval-pii.ts [--data ../shared/datasets/pii-dev.jsonl] [--json]
 *
 * The PII detector has no fitted parameters (rules, validators, word lists), so a nested
 * cross-validation has nothing to choose inside a fold: its figure is the plain one. What can still
 * overstate it, and what this script reports beside the pooled figure:
 * - per group: rows are grouped by the entity types they contain (PERSON, ADDRESS, ...; a row with
 *   several counts in each) and by upstream template (`source` after `#`), so a family carried by a
 *   few large templates shows up; the worst templates are listed;
 * - the lexicon ablation: the dev set fills its templates with Python Faker's names, and the world
 *   name lists were built from @faker-js/faker, which draws on overlapping public lists. The view
 *   `without world lists` scores the same rows with those two lists emptied: the drop is the part of
 *   the PERSON recall that rests on that overlap, the figure to expect for names that are in no list.
 * Same harness as `gatehouse eval pii` (the engine's normalisation and decoded views, any finding
 * counts as positive).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type EvalRow, type Scores, score } from '../src/cli/eval.js';
import { guardSchema } from '../src/config/schema/guard.js';
import { createPiiDetector, PII_ENTITIES } from '../src/guard/detectors/pii.js';
import { findPersons, loadNameLexicon, type NameLexicon } from '../src/guard/detectors/pii-names.js';
import { scanText } from '../src/guard/engine.js';
import type { Detector } from '../src/guard/types.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: '../shared/datasets/pii-dev.jsonl' },
    json: { type: 'boolean' },
  },
});

interface Row extends EvalRow {
  readonly entities: readonly string[];
}

const rows: Row[] = readFileSync(values.data, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => {
    const r = JSON.parse(l) as { text: string; label: 0 | 1; source?: string; entities?: string[] };
    return { text: r.text, label: r.label, source: r.source ?? '(none)', entities: r.entities ?? [] };
  });

const cfg = guardSchema.parse({});
const limits = { decode: { ...cfg.decode, minEncodedLength: 16 }, maxScanChars: cfg.maxScanChars };
const full = createPiiDetector({ entities: PII_ENTITIES, names: 'lexicon' });
const withoutPerson = createPiiDetector({
  entities: PII_ENTITIES.filter((e) => e !== 'PERSON'),
  names: 'lexicon',
});
const lex = loadNameLexicon();
// The English surname list alone (last-names-world.txt left out).
const englishLast = readFileSync(new URL('../data/lexicon/last-names.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((w) => w !== '');
const ablated: NameLexicon = { ...lex, firstWorld: new Set(), last: new Set(englishLast) };
/** The PII detector with the world lists emptied (the curated and English lists kept). */
const noWorld: Detector = {
  name: 'pii',
  detect: (input) => [
    ...withoutPerson.detect(input),
    ...findPersons(input.text, ablated).map((span) => ({
      detector: 'pii' as const,
      type: 'PERSON' as const,
      score: 0.7,
      span,
    })),
  ],
};

const predict = (d: Detector) => (text: string) => scanText(text, 'user', [d], limits).findings.length > 0;

function groupScores(pred: readonly boolean[], key: (r: Row) => readonly string[]): Record<string, Scores> {
  const groups = new Map<string, { p: boolean[]; r: Row[] }>();
  rows.forEach((r, i) => {
    for (const k of key(r)) {
      const g = groups.get(k) ?? { p: [], r: [] };
      g.p.push(pred[i] === true);
      g.r.push(r);
      groups.set(k, g);
    }
  });
  const out: Record<string, Scores> = {};
  for (const [k, g] of [...groups].sort(([a], [b]) => a.localeCompare(b))) out[k] = score(g.p, g.r);
  return out;
}

const views = { shipped: full, 'without world lists': noWorld };
const result: Record<string, unknown> = {};
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const lines: string[] = [`eval-pii on ${values.data} (${rows.length} rows)`, ''];
for (const [name, d] of Object.entries(views)) {
  const p = rows.map((r) => predict(d)(r.text));
  const pooled = score(p, rows);
  const byEntity = groupScores(p, (r) => (r.entities.length === 0 ? ['(none)'] : r.entities));
  const byTemplate = groupScores(p, (r) => [r.source.split('#')[1] ?? r.source]);
  result[name] = { pooled, byEntity, byTemplate };
  lines.push(
    `## ${name}`,
    `pooled: P ${pct(pooled.precision)} R ${pct(pooled.recall)} F1 ${pooled.f1.toFixed(3)} FPR ${pct(pooled.fpr)} (tp ${pooled.tp}, fp ${pooled.fp}, fn ${pooled.fn}, tn ${pooled.tn})`,
    '',
    '| rows containing | n | recall (label 1) | FPR (label 0) |',
    '|---|---:|---:|---:|',
  );
  for (const [k, s] of Object.entries(byEntity)) {
    const pos = s.tp + s.fn;
    const neg = s.fp + s.tn;
    lines.push(
      `| ${k} | ${s.n} | ${pos === 0 ? '-' : `${pct(s.recall)} (${s.tp}/${pos})`} | ${neg === 0 ? '-' : `${pct(s.fpr)} (${s.fp}/${neg})`} |`,
    );
  }
  const worst = Object.entries(byTemplate)
    .filter(([, s]) => s.fn + s.fp > 0)
    .sort(([, a], [, b]) => b.fn + b.fp - (a.fn + a.fp))
    .slice(0, 6)
    .map(([k, s]) => `${k} (fn ${s.fn}, fp ${s.fp} of ${s.n})`);
  lines.push(
    '',
    `templates with errors (${Object.keys(byTemplate).length} templates): ${worst.join('; ') || 'none'}`,
    '',
  );
}
process.stdout.write(values.json === true ? `${JSON.stringify(result, null, 2)}\n` : `${lines.join('\n')}\n`);
