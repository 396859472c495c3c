import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Identity } from '../identity.js';
import type { OutputVerdict } from './output/sanitise.js';

/** One tool call as the audit log records it (docs/tools.md); no argument value, no result text. */
export interface ToolCallRecord {
  readonly requestId: string;
  readonly traceId: string;
  readonly identity: Identity;
  readonly server: string;
  readonly tool: string;
  readonly access: 'read' | 'write';
  readonly argsHash: string | null;
  readonly definitionHash: string | null;
  readonly verdicts: readonly OutputVerdict[];
  readonly approvalId: string | null;
  readonly idempotencyKey: string | null;
  /** `replayed`: answered from the idempotency store without calling the upstream. */
  readonly outcome: 'success' | 'failure' | 'replayed' | 'parked';
  readonly errorCode: string | null;
  readonly upstreamCalled: boolean;
  readonly latencyMs: number;
}

const NODE = hostname();
const ASI02 = {
  framework: 'OWASP Top 10 for Agentic Applications 2026',
  technique: {
    id: ['ASI02'],
    name: ['Tool Misuse and Exploitation'],
    reference: ['https://genai.owasp.org/resource/owasp-top-10-for-agentic-applications-for-2026/'],
  },
};

/**
 * The `tool.call` audit event: ECS like every other event (docs/audit-events.md), `@timestamp` then
 * `event.id` first so sinks read them without parsing, OWASP ASI02 on every call.
 */
export function toolCallLine(r: ToolCallRecord, version: string): string {
  const id = r.identity;
  const ev = {
    '@timestamp': new Date().toISOString(),
    event: {
      id: randomUUID(),
      kind: 'event',
      category: ['process'],
      type: [r.outcome === 'failure' ? 'denied' : r.outcome === 'parked' ? 'info' : 'allowed'],
      action: 'tool.call',
      outcome: r.outcome === 'failure' ? 'failure' : r.outcome === 'parked' ? 'unknown' : 'success',
      dataset: 'gatehouse.audit',
      module: 'gatehouse',
      severity: 0,
      duration: Math.round(r.latencyMs * 1e6),
      ...(r.errorCode === null ? {} : { reason: r.errorCode }),
    },
    ecs: { version: '8.11.0' },
    service: { name: 'gatehouse', version, node: { name: NODE } },
    source: { ip: id.sourceIp || null },
    user_agent: { original: id.userAgent || null },
    user: { id: id.consumer },
    session: { id: id.session },
    trace: { id: r.traceId },
    ...(r.errorCode === null ? {} : { error: { code: r.errorCode } }),
    threat: ASI02,
    gatehouse: {
      schema_version: 1,
      request_id: r.requestId,
      auth: { method: id.method, tier: id.tier },
      agent: { id: id.agent },
      owasp: { controls: ['control:tool-gateway'], llm: ['LLM07'], asi: ['ASI02'] },
      tool: {
        server: r.server,
        name: r.tool,
        access: r.access,
        args_hash: r.argsHash,
        definition_hash: r.definitionHash,
        approval_id: r.approvalId,
        idempotency_key: r.idempotencyKey,
        upstream_called: r.upstreamCalled,
        outcome: r.outcome,
      },
      verdicts: r.verdicts.map((v) => ({
        phase: 'output',
        detector: v.family,
        type: v.type,
        action: v.action,
        score: 1,
      })),
      latency_ms: Math.round(r.latencyMs * 1000) / 1000,
    },
  };
  return JSON.stringify(ev);
}

/** A tool blocked by pinning or description scanning: a security event and an alert. */
export function toolBlockedLine(
  b: { server: string; tool: string; status: string; previous: string; definitionHash: string | null },
  version: string,
): string {
  return JSON.stringify({
    '@timestamp': new Date().toISOString(),
    event: {
      id: randomUUID(),
      kind: 'alert',
      category: ['intrusion_detection', 'configuration'],
      type: ['denied'],
      action: 'tool.blocked',
      outcome: 'failure',
      dataset: 'gatehouse.audit',
      module: 'gatehouse',
      severity: 73,
      reason: b.status,
    },
    ecs: { version: '8.11.0' },
    service: { name: 'gatehouse', version, node: { name: NODE } },
    source: { ip: null },
    user_agent: { original: null },
    user: { id: null },
    threat: ASI02,
    gatehouse: {
      schema_version: 1,
      owasp: { controls: ['control:tool-gateway'], llm: ['LLM07'], asi: ['ASI02'] },
      tool: {
        server: b.server,
        name: b.tool,
        status: b.status,
        previous: b.previous,
        definition_hash: b.definitionHash,
      },
      alert: {
        signal: 'tools.blocked',
        severity: 'high',
        status: 'firing',
        summary: `tool ${b.server}.${b.tool} blocked: ${b.status}`,
        labels: { server: b.server, tool: b.tool, reason: b.status },
      },
    },
  });
}
