import { stringify } from 'yaml';
import type { AlertsConfig, Severity } from '../../config/schema/telemetry.js';
import type { SignalName } from './signals.js';

/**
 * The SOC content pack: Prometheus alerting rules for the same signals the built-in engine
 * evaluates, over Gatehouse's metric names and with the configured thresholds. Baselines are the
 * average of a recorded series over the previous `baselineRange`, offset past the alert's own
 * window, and a baseline needs `warmup` worth of samples before it is used (the engine's EWMA
 * with warm-up, expressed in PromQL).
 */
export interface RuleOptions {
  /** Recording-rule history a baseline averages over (default 6h, the engine's half-life). */
  readonly baselineRange?: string;
  /** Recorded samples a baseline needs before it is trusted (default 60: an hour at 1m). */
  readonly warmupSamples?: number;
}

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: Severity; signal: SignalName; source: 'gatehouse' };
  annotations: { summary: string; description: string };
}

/** ms → a Prometheus duration (`90s`, `5m`, `2h`). */
export function promDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.max(1, Math.round(ms / 1000))}s`;
}

const num = (x: number): string => String(Number(x.toPrecision(6)));

export function prometheusRules(alerts: AlertsConfig, opts: RuleOptions = {}): string {
  const s = alerts.signals;
  const range = opts.baselineRange ?? '6h';
  const warm = opts.warmupSamples ?? 60;
  const w = (ms: number): string => promDuration(ms);
  const baseline = (series: string, offsetMs: number): string =>
    `avg_over_time(${series}[${range}] offset ${w(offsetMs)})`;
  const warmed = (series: string, offsetMs: number): string =>
    `count_over_time(${series}[${range}] offset ${w(offsetMs)}) >= ${warm}`;

  const lat = `gatehouse:request_duration_seconds:p99_${w(s.latencyP99.windowMs)}`;
  const tok = `gatehouse:tokens:rate_${w(s.tokenThroughput.windowMs)}`;
  const blk = `gatehouse:guardrail_block_ratio:${w(s.guardrailBlockRate.windowMs)}`;
  const recording = [
    {
      record: lat,
      expr: `histogram_quantile(0.99, sum by (le) (rate(gatehouse_request_duration_seconds_bucket[${w(s.latencyP99.windowMs)}])))`,
    },
    { record: tok, expr: `sum(rate(gatehouse_tokens_total[${w(s.tokenThroughput.windowMs)}]))` },
    {
      record: blk,
      expr: `sum(rate(gatehouse_guardrail_verdicts_total{action="block"}[${w(s.guardrailBlockRate.windowMs)}])) / sum(rate(gatehouse_requests_total[${w(s.guardrailBlockRate.windowMs)}]))`,
    },
  ];

  const rule = (
    alert: string,
    signal: SignalName,
    sc: { severity: Severity; forMs: number; enabled: boolean },
    expr: string,
    summary: string,
  ): AlertRule | null =>
    sc.enabled
      ? {
          alert,
          expr,
          ...(sc.forMs > 0 && { for: w(sc.forMs) }),
          labels: { severity: sc.severity, signal, source: 'gatehouse' },
          annotations: { summary, description: `Gatehouse signal ${signal}; see docs/observability.md.` },
        }
      : null;

  const er = s.errorRate;
  const rules = [
    rule(
      'GatehouseHighErrorRate',
      'error_rate',
      er,
      `(sum(rate(gatehouse_requests_total{status_class="5xx"}[${w(er.windowMs)}])) / sum(rate(gatehouse_requests_total[${w(er.windowMs)}])) > ${num(er.threshold)}) and sum(increase(gatehouse_requests_total[${w(er.windowMs)}])) >= ${er.minRequests}`,
      `5xx error rate above ${num(er.threshold * 100)}%`,
    ),
    rule(
      'GatehouseLatencyP99AboveBaseline',
      'latency_p99',
      s.latencyP99,
      `(${lat} > ${num(s.latencyP99.factor)} * ${baseline(lat, s.latencyP99.forMs + s.latencyP99.windowMs)}) and ${warmed(lat, s.latencyP99.forMs + s.latencyP99.windowMs)}`,
      `p99 latency above ${num(s.latencyP99.factor)}x its baseline`,
    ),
    rule(
      'GatehouseGpuMemoryHigh',
      'gpu_memory',
      s.gpuMemory,
      `max(avg_over_time(gatehouse_gpu_memory_utilization_ratio[${w(s.gpuMemory.windowMs)}])) > ${num(s.gpuMemory.threshold)}`,
      `GPU memory utilisation above ${num(s.gpuMemory.threshold * 100)}%`,
    ),
    rule(
      'GatehouseTokenThroughputDrop',
      'token_throughput',
      s.tokenThroughput,
      `(${tok} < ${num(1 - s.tokenThroughput.dropRatio)} * ${baseline(tok, s.tokenThroughput.windowMs)}) and (${baseline(tok, s.tokenThroughput.windowMs)} >= ${num(s.tokenThroughput.minBaselinePerSecond)}) and ${warmed(tok, s.tokenThroughput.windowMs)}`,
      `token throughput more than ${num(s.tokenThroughput.dropRatio * 100)}% below its baseline`,
    ),
    rule(
      'GatehouseGuardrailBlockRateSpike',
      'guardrail_block_rate',
      s.guardrailBlockRate,
      `(${blk} > ${num(s.guardrailBlockRate.factor)} * clamp_min(${baseline(blk, s.guardrailBlockRate.windowMs)}, ${num(s.guardrailBlockRate.minBaselineRate)})) and ${warmed(blk, s.guardrailBlockRate.windowMs)}`,
      `guardrail block rate above ${num(s.guardrailBlockRate.factor)}x its baseline`,
    ),
    rule(
      'GatehouseAuthFailureSpike',
      'auth_failures',
      s.authFailures,
      // The per-IP count is computed by Gatehouse across replicas (an IP label would be unbounded).
      `max(gatehouse_auth_failures_max_per_source_ip) > ${s.authFailures.threshold}`,
      `more than ${s.authFailures.threshold} authentication failures from one source IP in ${w(s.authFailures.windowMs)}`,
    ),
    rule(
      'GatehouseUnknownConsumer',
      'unknown_consumer',
      s.unknownConsumer,
      `sum(increase(gatehouse_unknown_consumer_requests_total[${w(s.unknownConsumer.windowMs)}])) > ${s.unknownConsumer.threshold}`,
      'request from an unknown consumer',
    ),
    rule(
      'GatehouseQuotaNearLimit',
      'quota',
      s.quota,
      `max by (dimension) (gatehouse_quota_usage_ratio) > ${num(s.quota.threshold)}`,
      `a consumer has used more than ${num(s.quota.threshold * 100)}% of a quota`,
    ),
    rule(
      'GatehouseAuditSpoolFull',
      'audit_spool',
      s.auditSpool,
      `max by (sink) (gatehouse_audit_spool_full) > 0 or sum by (sink) (increase(gatehouse_audit_events_dropped_total[${w(s.auditSpool.windowMs)}])) > 0`,
      'an audit sink spool is full and events are being dropped',
    ),
    rule(
      'GatehousePaceDegraded',
      'pace_state',
      s.paceState,
      `max by (route, state) (gatehouse_pace_state{state=~"alternate|contingency"}) > 0`,
      'a route is in PACE Alternate or Contingency',
    ),
    rule(
      'GatehouseKillSwitchEngaged',
      'kill_switch',
      s.killSwitch,
      'max by (scope) (gatehouse_killswitch_engaged) > 0',
      'a kill-switch entry is engaged',
    ),
    rule(
      'GatehouseEgressDenialBurst',
      'egress_denials',
      s.egressDenials,
      `sum by (identity) (increase(gatehouse_egress_connections_total{verdict="deny"}[${w(s.egressDenials.windowMs)}])) > ${s.egressDenials.threshold}`,
      `more than ${s.egressDenials.threshold} egress denials for one identity in ${w(s.egressDenials.windowMs)}`,
    ),
  ].filter((r): r is AlertRule => r !== null);

  return stringify(
    {
      groups: [
        { name: 'gatehouse-recording', rules: recording },
        { name: 'gatehouse-alerts', rules },
      ],
    },
    { lineWidth: 0 },
  );
}
