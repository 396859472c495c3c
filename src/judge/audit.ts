import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { SecurityEventSink as AuditOut } from '../pipeline/audit-sink.js';
import { owaspName, owaspRef } from './owasp.js';
import type { Finding } from './types.js';

/** ECS severities as the telemetry alerts use them: escalate high, fail medium, calibration pass low. */
const SEVERITY = { escalate: 73, fail: 47, pass: 21 } as const;

/**
 * A finding as an audit event (`event.action: judge.finding`, docs/audit-events.md): who, which
 * route, the rubric, verdict, scores and confidence, and its OWASP mapping. Never the rationale or
 * any text of the exchange: those stay in the review queue, behind the admin API.
 */
export function findingLine(out: AuditOut, f: Finding, requestId: string | null, now: number): string {
  const ids = [...f.owasp.llm, ...f.owasp.asi];
  const ev = {
    '@timestamp': new Date(now).toISOString(),
    event: {
      id: randomUUID(),
      kind: 'alert',
      category: ['intrusion_detection'],
      type: ['indicator'],
      action: 'judge.finding',
      outcome: 'unknown',
      dataset: 'gatehouse.audit',
      module: 'gatehouse',
      severity: SEVERITY[f.verdict],
      reason: `${f.rubric}:${f.verdict}`,
    },
    ecs: { version: '8.11.0' },
    service: {
      name: 'gatehouse',
      version: out.version,
      ...(out.environment !== undefined && { environment: out.environment }),
      node: { name: hostname() },
    },
    user: { id: f.consumer },
    ...(ids.length > 0 && {
      threat: {
        framework: f.owasp.llm.length > 0 ? 'OWASP LLM Top 10' : 'OWASP Agentic Top 10',
        technique: { id: ids, name: ids.map(owaspName), reference: ids.map(owaspRef) },
      },
    }),
    gatehouse: {
      schema_version: 1,
      ...(requestId !== null && { request_id: requestId }),
      route: { alias: f.route },
      agent: { id: f.agent },
      finding: {
        id: f.id,
        source: f.source,
        rubric: f.rubric,
        kind: f.kind,
        verdict: f.verdict,
        confidence: f.confidence,
        scores: f.scores,
      },
      owasp: { controls: ['control:judge'], llm: [...f.owasp.llm], asi: [...f.owasp.asi] },
    },
  };
  return JSON.stringify(ev);
}

/** The Judge-degraded alert as an audit event (`alert.firing` / `alert.resolved`, docs/audit-events.md). */
export function degradedLine(
  out: AuditOut,
  h: { degraded: boolean; reason: string | null; depth: number | null },
  threshold: number,
  now: number,
): string {
  const at = new Date(now).toISOString();
  return JSON.stringify({
    '@timestamp': at,
    event: {
      id: randomUUID(),
      kind: 'alert',
      category: ['process'],
      type: ['info'],
      action: h.degraded ? 'alert.firing' : 'alert.resolved',
      outcome: 'unknown',
      dataset: 'gatehouse.audit',
      module: 'gatehouse',
      severity: 73,
      reason: 'judge_degraded',
    },
    ecs: { version: '8.11.0' },
    service: {
      name: 'gatehouse',
      version: out.version,
      ...(out.environment !== undefined && { environment: out.environment }),
      node: { name: hostname() },
    },
    gatehouse: {
      schema_version: 1,
      alert: {
        signal: 'judge_degraded',
        fingerprint: 'judge_degraded',
        severity: 'high',
        status: h.degraded ? 'firing' : 'resolved',
        value: h.depth,
        threshold,
        baseline: null,
        starts_at: at,
        ends_at: h.degraded ? null : at,
        summary: h.degraded ? `Judge degraded: ${h.reason ?? 'unknown'}` : 'Judge recovered',
        labels: { reason: h.reason ?? 'recovered' },
      },
    },
  });
}
