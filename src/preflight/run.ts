import { ARTIFACT_CHECKS } from './artifacts.js';
import { itemOf } from './checklist.js';
import { LIVE_CHECKS } from './live-checks.js';
import { REACH_CHECKS } from './reach-checks.js';
import { STATIC_CHECKS } from './static-checks.js';
import {
  type AuditInput,
  type AuditReport,
  type CheckDef,
  type CheckResult,
  type Severity,
  severityRank,
  VERDICTS,
  type Verdict,
} from './types.js';

/** Every check, in report order: config, artifacts, reachability, then the live probes (rate limit last). */
export const ALL_CHECKS: readonly CheckDef[] = [
  ...STATIC_CHECKS,
  ...ARTIFACT_CHECKS,
  ...REACH_CHECKS,
  ...LIVE_CHECKS,
];

export const AUDIT_VERSION = '1';

/** Runs the checks one after another (probes never overlap, so the target sees at most one at a time). */
export async function runAudit(
  input: AuditInput,
  checks: readonly CheckDef[] = ALL_CHECKS,
): Promise<AuditReport> {
  const startedAt = new Date().toISOString();
  const results: CheckResult[] = [];
  for (const c of checks) {
    const t0 = performance.now();
    const o = await c.run(input);
    const item = itemOf(c.item);
    results.push({
      id: c.id,
      item: c.item,
      title: c.title,
      seed: item.seed,
      owasp: item.owasp,
      severity: c.severity,
      kind: c.kind,
      verdict: o.verdict,
      evidence: o.evidence,
      durationMs: Math.round(performance.now() - t0),
    });
  }
  const summary = Object.fromEntries(
    VERDICTS.map((v) => [v, results.filter((r) => r.verdict === v).length]),
  ) as Record<Verdict, number>;
  return {
    tool: { name: 'gatehouse audit', version: AUDIT_VERSION },
    startedAt,
    target: input.target?.href ?? null,
    config: input.configFile,
    results,
    summary,
  };
}

/** The results that fail the gate: a fail at or above `failOn`; under `strict`, also not configured and skipped. */
export function gateFailures(report: AuditReport, failOn: Severity, strict: boolean): CheckResult[] {
  const gating: readonly Verdict[] = strict ? ['fail', 'not_configured', 'skipped'] : ['fail'];
  return report.results.filter(
    (r) => gating.includes(r.verdict) && severityRank(r.severity) >= severityRank(failOn),
  );
}
