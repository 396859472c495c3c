import type { GatehouseConfig } from '../config/schema/index.js';
import type { Store } from '../store/types.js';
import { compare } from './compare.js';
import type { CanaryReport } from './service.js';
import { initialState, stateKey } from './state.js';
import { createStatsBackend } from './stats.js';

/**
 * The comparison report straight from the store, without a running gateway (the CLI): the same
 * state, counts and gates every replica evaluates.
 */
export async function storeReport(
  config: Readonly<GatehouseConfig>,
  store: Store,
  route: string,
): Promise<CanaryReport> {
  const c = config.canary.routes.find((r) => r.route === route);
  const base = config.routes.find((r) => r.alias === route);
  const dep = config.routes.find((r) => r.alias === c?.deployment);
  if (c === undefined || base === undefined || dep === undefined)
    throw new Error(`no canary for route "${route}"`);
  const raw = await store.get(stateKey(route));
  const state = raw === null ? initialState(c) : JSON.parse(raw);
  const stats = createStatsBackend(store);
  const [b, k] = await Promise.all([
    stats.read(route, state.generation, 'baseline'),
    stats.read(route, state.generation, 'canary'),
  ]);
  const judgeOn = config.judge.enabled;
  return {
    route,
    baseline: { deployment: base.alias, model: base.upstream.model },
    canary: { deployment: dep.alias, model: dep.upstream.model },
    state,
    comparison: compare(b, k, c.gates, judgeOn),
  };
}

const cell = (v: number | null) => (v === null ? '-' : String(v));

/** Each metric side by side with its statistic, p-value and verdict, as a plain-text table. */
export function formatReport(r: CanaryReport): string {
  const s = r.state;
  const head = [
    `canary ${r.route}: ${r.canary.deployment} (${r.canary.model}) vs ${r.baseline.deployment} (${r.baseline.model})`,
    `status ${s.status}, weight ${s.weight}%, generation ${s.generation}${s.reason ? `, reason: ${s.reason}` : ''}`,
    `samples baseline ${r.comparison.samples.baseline}, canary ${r.comparison.samples.canary}; look ${r.comparison.look}, alpha per gate ${cell(r.comparison.alpha)}; verdict ${r.comparison.verdict.toUpperCase()}`,
    '',
  ];
  const rows = [['metric', 'baseline', 'canary', 'statistic', 'p', 'verdict']].concat(
    r.comparison.rows.map((x) => [
      x.metric,
      cell(x.baseline),
      cell(x.canary),
      cell(x.statistic),
      cell(x.p),
      x.verdict,
    ]),
  );
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  const lines = rows.map((row) =>
    row
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  return `${head.join('\n')}${lines.join('\n')}\n`;
}
