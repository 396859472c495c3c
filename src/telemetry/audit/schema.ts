import type { AuditVerdict } from '../../pipeline/audit-signals.js';
import type { CanaryStamp } from '../../pipeline/canary.js';
import type { PaceStamp } from '../../pipeline/pace.js';
/**
 * The audit event, version 1 (docs/audit-events.md is the reference). One nested JSON document per
 * event: OpenTelemetry GenAI semantic-convention names where they exist (`gen_ai.*`), ECS names for
 * the rest, and Gatehouse's own fields under `gatehouse.*`. Dotted paths in the docs are paths in
 * this document, so ECS-aware SIEMs (Elastic, Splunk's JSON extraction) map them without work.
 *
 * Key order matters for one reason: the serialiser relies on `@timestamp` then `event.id` opening
 * every line, so sinks read both without parsing the whole event (see ./line.ts).
 */
export const AUDIT_SCHEMA_VERSION = 1;
export const ECS_VERSION = '8.11.0';

/** What happened. `gen_ai.request` is the per-request event; the rest are security events. */
export type AuditAction =
  | 'gen_ai.request'
  | 'auth.failure'
  | 'consumer.unknown'
  | 'limit.hit'
  | 'budget.threshold'
  | 'guardrail.verdict'
  | 'mode.change'
  | 'config.reload'
  | 'egress.connection'
  | 'admin.login_throttled'
  | 'alert.firing'
  | 'alert.resolved'
  /** An operator's call on the admin listener (src/admin/audit.ts): every mutation and every denial. */
  | 'admin.action';

export type EventCategory =
  | 'web'
  | 'authentication'
  | 'intrusion_detection'
  | 'configuration'
  | 'network'
  | 'process'
  | 'threat';
export type EventOutcome = 'success' | 'failure' | 'unknown';
export type AlertSeverity = 'low' | 'medium' | 'high';

/** ECS numeric severity for each alert severity (and 0 for plain events). */
export const SEVERITY_NUMBER: Readonly<Record<AlertSeverity, number>> = { low: 21, medium: 47, high: 73 };

export type { AuditVerdict };

export interface AuditEvent {
  '@timestamp': string;
  event: {
    id: string;
    kind: 'event' | 'alert';
    category: EventCategory[];
    type: string[];
    action: AuditAction;
    outcome: EventOutcome;
    dataset: 'gatehouse.audit';
    module: 'gatehouse';
    severity: number;
    /** Nanoseconds, as ECS wants. */
    duration?: number;
    reason?: string;
  };
  ecs: { version: string };
  service: { name: 'gatehouse'; version: string; environment?: string; node: { name: string } };
  source: { ip: string | null };
  user_agent: { original: string | null };
  user: { id: string | null };
  session?: { id: string | null };
  http?: { request: { id: string; method: string | null }; response: { status_code: number } };
  url?: { path: string | null };
  trace?: { id: string };
  span?: { id: string };
  gen_ai?: {
    operation: { name: string };
    /** Older name of `gen_ai.provider.name`, kept for parsers built on it. */
    system: string | null;
    provider: { name: string | null };
    request: { model: string | null; max_tokens?: number; stream: boolean };
    response: { model: string | null; id?: string; finish_reasons?: string[] };
    usage: { input_tokens: number; output_tokens: number };
    agent?: { id: string };
    input?: { messages: unknown };
    output?: { messages: unknown };
  };
  error?: { code: string; type?: string };
  /** ECS threat fields: the OWASP risks of a verdict, limit hit, auth failure or alert (docs/owasp.md). */
  threat?: { framework: string; technique: { id: string[]; name: string[]; reference: string[] } };
  gatehouse: GatehouseFields;
}

export interface GatehouseFields {
  schema_version: number;
  request_id?: string;
  /** The TCP peer: a trusted proxy when `source.ip` came from X-Forwarded-For, else `source.ip` itself. */
  peer?: { ip: string | null };
  auth?: { method: string | null; tier: number | null };
  agent?: { id: string | null };
  route?: {
    alias: string | null;
    requested_alias: string | null;
    pinned_model: string | null;
    tier: number | null;
  };
  endpoint?: string;
  tokens?: { input: number; output: number; source: string };
  cost?: { usd: number };
  latency_ms?: number;
  ttft_ms?: number | null;
  verdicts?: AuditVerdict[];
  flags?: string[];
  client_aborted?: boolean;
  /** PACE (docs/resilience.md): the route's state when served, the backup that answered, attempts, review mark. */
  pace?: PaceStamp;
  /** The canary side that served the request (routes with a canary only). */
  canary?: CanaryStamp;
  trace?: { parent_span_id: string | null };
  /** The OWASP mapping of what this event records (docs/owasp.md): table keys and both frameworks' ids. */
  owasp?: { controls: string[]; llm: string[]; asi: string[] };
  /** Security-event details (one of these per action). */
  limit?: { dimension: string; limit?: number; used?: number };
  budget?: {
    dimension: string;
    window?: string;
    used: number;
    limit: number;
    ratio: number;
    threshold: number;
  };
  verdict?: AuditVerdict;
  mode?: { from: string | null; to: string; reason?: string };
  config?: { outcome: string; version?: string; changes?: string[] };
  /** `admin.login_throttled`: what was locked, after how many refused credentials, for how long. */
  throttle?: { scope: 'ip' | 'principal'; failures: number; lock_sec: number };
  egress?: {
    verdict: 'allow' | 'deny';
    reason: string | null;
    method: string;
    destination: { host: string; port: number; address: string | null };
    bytes: { up: number; down: number };
    duration_ms: number;
  };
  /** The operator audit event of the control plane (docs/control-plane.md). */
  admin?: {
    operator: string | null;
    via: string | null;
    roles: string[];
    required_role: string | null;
    action: string | null;
    method: string;
    path: string;
    target: string | null;
    before?: unknown;
    after?: unknown;
    reason: string | null;
    outcome: string;
    error_code?: string;
    proposal?: { id: string; state: string; proposer?: string };
  };
  alert?: {
    signal: string;
    fingerprint: string;
    severity: AlertSeverity;
    status: 'firing' | 'resolved';
    value: number | null;
    threshold: number;
    baseline: number | null;
    starts_at: string;
    ends_at: string | null;
    summary: string;
    labels: Record<string, string>;
  };
}
