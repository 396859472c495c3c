import { alertsSchema } from '../config/schema/telemetry.js';
import { promDuration } from './alerts/prometheus-rules.js';
import { SIGNAL_NAMES, SIGNALS, type SignalName } from './alerts/signals.js';
import { OWASP_ASI, OWASP_LLM, OWASP_TABLE, type OwaspRow, owaspForAlert } from './owasp.js';

/**
 * The generated parts of docs/owasp.md and docs/soc.md, from the code's own tables: the OWASP table
 * (./owasp.ts) and the alert defaults (the config schema and ./alerts/signals.ts).
 * `npx tsx scripts/render-soc-docs.ts` writes them; test/unit/telemetry/soc-docs.test.ts fails when
 * a doc and the code disagree.
 */
export const GENERATED = {
  owaspTable: ['<!-- generated: owasp-table (scripts/render-soc-docs.ts) -->', '<!-- end: owasp-table -->'],
  alertTable: ['<!-- generated: alert-table (scripts/render-soc-docs.ts) -->', '<!-- end: alert-table -->'],
} as const;

const ids = (r: OwaspRow): string => {
  const all = [...r.llm.map((i) => `${i} ${OWASP_LLM[i]}`), ...r.asi.map((i) => `${i} ${OWASP_ASI[i]}`)];
  return all.length === 0 ? '—' : all.join('; ');
};
const llm = (r: OwaspRow): string =>
  r.llm.length === 0 ? '—' : r.llm.map((i) => `${i}: ${OWASP_LLM[i]}`).join(', ');
const asi = (r: OwaspRow): string =>
  r.asi.length === 0 ? '—' : r.asi.map((i) => `${i}: ${OWASP_ASI[i]}`).join(', ');
const status = (r: OwaspRow): string => (r.status === 'present' ? 'present' : '**planned (not built)**');

export function renderOwaspTable(): string {
  const lines = [
    '| key | kind | area (the guide) | OWASP LLM Top 10 2025 | OWASP Agentic (ASI) | status | what |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of OWASP_TABLE)
    lines.push(`| \`${r.key}\` | ${r.kind} | ${r.area} | ${llm(r)} | ${asi(r)} | ${status(r)} | ${r.what} |`);
  return lines.join('\n');
}

const pct = (x: number): string => `${Number((x * 100).toFixed(2))} %`;

/** Each signal's condition with the defaults, in words. */
const CONDITION: { readonly [S in SignalName]: (c: ReturnType<typeof defaults>) => string } = {
  error_rate: (c) =>
    `5xx share > ${pct(c.errorRate.threshold)} over ${promDuration(c.errorRate.windowMs)} (≥ ${c.errorRate.minRequests} requests)`,
  latency_p99: (c) =>
    `p99 over ${promDuration(c.latencyP99.windowMs)} > ${c.latencyP99.factor} × baseline (≥ ${c.latencyP99.minRequests} requests)`,
  gpu_memory: (c) =>
    `mean of per-bucket max over ${promDuration(c.gpuMemory.windowMs)} > ${pct(c.gpuMemory.threshold)}`,
  token_throughput: (c) =>
    `tokens/s over ${promDuration(c.tokenThroughput.windowMs)} < ${pct(1 - c.tokenThroughput.dropRatio)} of baseline`,
  guardrail_block_rate: (c) =>
    `block share over ${promDuration(c.guardrailBlockRate.windowMs)} > ${c.guardrailBlockRate.factor} × max(baseline, ${pct(c.guardrailBlockRate.minBaselineRate)})`,
  auth_failures: (c) =>
    `> ${c.authFailures.threshold} failures from one source IP in ${promDuration(c.authFailures.windowMs)}`,
  unknown_consumer: (c) =>
    `> ${c.unknownConsumer.threshold} requests from an unknown consumer in ${promDuration(c.unknownConsumer.windowMs)}`,
  quota: (c) => `a consumer's use of a quota dimension > ${pct(c.quota.threshold)}`,
  audit_spool: (c) => `a sink's spool full or dropping in ${promDuration(c.auditSpool.windowMs)}`,
  pace_state: (c) =>
    `a route in PACE Alternate or Contingency on any replica within ${promDuration(c.paceState.windowMs)}`,
  kill_switch: (c) => `a kill-switch entry engaged within ${promDuration(c.killSwitch.windowMs)}`,
  egress_denials: (c) =>
    `> ${c.egressDenials.threshold} denied egress attempts of one identity in ${promDuration(c.egressDenials.windowMs)}`,
};

const defaults = () => alertsSchema.parse({}).signals;

export function renderAlertTable(): string {
  const c = defaults();
  const lines = [
    '| signal | condition (defaults) | held for | severity | baseline | OWASP |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const s of SIGNAL_NAMES) {
    const sc = c[SIGNALS[s].configKey];
    const row = owaspForAlert(s);
    lines.push(
      `| \`${s}\` | ${CONDITION[s](c)} | ${sc.forMs === 0 ? '—' : promDuration(sc.forMs)} | ${sc.severity} | ${SIGNALS[s].baselineSample === undefined ? 'no' : 'yes'} | ${row === null ? '—' : ids(row)} |`,
    );
  }
  return lines.join('\n');
}

/** docs/owasp.md, whole. */
export function renderOwaspDoc(): string {
  return `# OWASP mapping

<!-- Generated from src/telemetry/owasp.ts by \`npx tsx scripts/render-soc-docs.ts\`; do not edit by hand. -->

Every control, detector, limit dimension and alert signal of Gatehouse, mapped to the
[OWASP Top 10 for LLM Applications 2025](https://genai.owasp.org/llm-top-10/) (\`LLM01\`–\`LLM10\`) and the
[OWASP Top 10 for Agentic Applications](https://genai.owasp.org/resource/owasp-top-10-for-agentic-applications-for-2026/)
(\`ASI01\`–\`ASI10\`). The guide's table (its "OWASP Mapping": rate limiting, input validation, output
scanning, token limiting, model version pinning, tool server hardening, private endpoints, kill switch)
is the \`control:*\` rows, as the guide maps them; the other rows extend it to what Gatehouse checks.
A row marked **planned** names a control Gatehouse does not have yet: nothing is stamped with it.

## Where the ids appear

- **Audit events** (docs/audit-events.md): every \`guardrail.verdict\`, \`limit.hit\`, \`budget.threshold\`,
  \`auth.failure\`, \`consumer.unknown\`, \`alert.firing\` and \`alert.resolved\` event, and every
  \`gen_ai.request\` event with a verdict other than \`allow\`, carries
  - \`gatehouse.owasp.controls\` (the keys below that applied), \`gatehouse.owasp.llm\`,
    \`gatehouse.owasp.asi\` (both frameworks, always; empty arrays when a framework has no id);
  - ECS \`threat.framework\`, \`threat.technique.id\`, \`.name\`, \`.reference\`: ECS holds one framework
    per event, so these name the LLM Top 10 ids when there are any (\`threat.framework: "OWASP LLM Top
    10"\`), else the Agentic ids (\`"OWASP Agentic Top 10"\`); an event that maps to neither (the audit
    spool alert) has no \`threat\`.
- **Metrics**: \`gatehouse_guardrail_verdicts_total\`, \`gatehouse_limiter_rejections_total\` and
  \`gatehouse_budget_threshold_events_total\` carry \`owasp_llm\` and \`owasp_asi\` labels: the row's ids
  joined by \`,\` (\`LLM01\`, \`LLM01,LLM05\`), or \`none\`. Only ids, from this fixed table, so the
  labels stay bounded.

Lookups: a verdict maps by \`verdict:<phase>:<detector>\` (else \`verdict:<phase>:*\`), a limit hit or
budget threshold by \`limit:<dimension>\` (else \`limit:*\`), an alert by \`alert:<signal>\`.

## The table

${renderOwaspTable()}

## The ids

| id | risk |
| --- | --- |
${Object.entries(OWASP_LLM)
  .map(([i, n]) => `| ${i} | ${n} |`)
  .join('\n')}
${Object.entries(OWASP_ASI)
  .map(([i, n]) => `| ${i} | ${n} |`)
  .join('\n')}
`;
}

/** Replaces the generated section `marks` of `doc` with `body`. */
export function replaceGenerated(doc: string, marks: readonly [string, string], body: string): string {
  const a = doc.indexOf(marks[0]);
  const b = doc.indexOf(marks[1]);
  if (a < 0 || b < a) throw new Error(`generated section ${marks[0]} missing`);
  return `${doc.slice(0, a + marks[0].length)}\n${body}\n${doc.slice(b)}`;
}

export function generatedSection(doc: string, marks: readonly [string, string]): string | null {
  const a = doc.indexOf(marks[0]);
  const b = doc.indexOf(marks[1]);
  return a < 0 || b < a ? null : doc.slice(a + marks[0].length, b).trim();
}
