import type { SignalsConfig } from '../../config/schema/telemetry.js';
import { latencyQuantile, parseModeKey, type WindowView } from './buckets.js';

/**
 * The alert signals: the guide's eight, the audit spool, and the resilience and egress signals
 * (PACE state, kill switch, egress denial bursts). Each reads a window of aggregated
 * buckets and returns one observation per key (one key for global signals, one per source IP,
 * consumer/dimension or sink for keyed ones). Keys not returned are treated as clear.
 */
export type SignalName =
  | 'error_rate'
  | 'latency_p99'
  | 'gpu_memory'
  | 'token_throughput'
  | 'guardrail_block_rate'
  | 'auth_failures'
  | 'unknown_consumer'
  | 'quota'
  | 'audit_spool'
  | 'pace_state'
  | 'kill_switch'
  | 'egress_denials';

export interface Observation {
  readonly key: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly threshold: number;
  readonly baseline: number | null;
  readonly breached: boolean;
  readonly summary: string;
}

export interface BaselineView {
  readonly ready: boolean;
  readonly value: number | null;
}

export interface SignalDef<K extends keyof SignalsConfig> {
  readonly configKey: K;
  /** The value of a key that has gone from the window (a count of nothing is 0); default null. */
  readonly clearValue?: number;
  /** What the rolling baseline learns from a window, or null when the window says nothing. */
  readonly baselineSample?: (w: WindowView, cfg: SignalsConfig[K], coveredMs: number) => number | null;
  evaluate(w: WindowView, cfg: SignalsConfig[K], baseline: BaselineView, coveredMs: number): Observation[];
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const mins = (ms: number): string => (ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`);
const GLOBAL = '';

/**
 * A bucket's quota map key: `[consumer, dimension]` as JSON, which no consumer name can break (an
 * OIDC subject may hold any character). Never part of a fingerprint.
 */
export const quotaKey = (consumer: string, dimension: string): string =>
  JSON.stringify([consumer, dimension]);
export function parseQuotaKey(k: string): readonly [consumer: string, dimension: string] {
  try {
    const v: unknown = JSON.parse(k);
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    // A key from a replica of an older version: not ours to interpret.
  }
  return [k, ''];
}

/**
 * A key part as it appears in a fingerprint: printable ASCII, with anything else (controls, spaces,
 * non-ASCII, and `:` which separates the parts) percent-encoded as UTF-8, so the same input always
 * gives the same fingerprint and a PagerDuty `dedup_key` or a SIEM search can carry it.
 */
const LONE_SURROGATE = /^[\ud800-\udfff]$/;

export function fingerprintPart(s: string, keepColon = false): string {
  const re = keepColon ? /[^\x21-\x7e]|%/gu : /[^\x21-\x7e]|[%:]/gu;
  return s.replace(re, (c) =>
    [...Buffer.from(LONE_SURROGATE.test(c) ? '\ufffd' : c, 'utf8')]
      .map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`)
      .join(''),
  );
}

const blockRate = (w: WindowView): number => (w.requests > 0 ? w.blocks / w.requests : 0);
const throughput = (w: WindowView, coveredMs: number): number =>
  coveredMs > 0 ? w.tokens / (coveredMs / 1000) : 0;

export const SIGNALS: { readonly [S in SignalName]: SignalDef<keyof SignalsConfig> } = {
  error_rate: {
    configKey: 'errorRate',
    evaluate(w, c) {
      const cfg = c as SignalsConfig['errorRate'];
      if (w.requests < cfg.minRequests) return [];
      const value = w.errors5xx / w.requests;
      return [
        {
          key: GLOBAL,
          labels: {},
          value,
          threshold: cfg.threshold,
          baseline: null,
          breached: value > cfg.threshold,
          summary: `5xx error rate ${pct(value)} over ${mins(cfg.windowMs)} (threshold ${pct(cfg.threshold)})`,
        },
      ];
    },
  },
  latency_p99: {
    configKey: 'latencyP99',
    baselineSample: (w, c) =>
      w.requests >= (c as SignalsConfig['latencyP99']).minRequests ? latencyQuantile(w.lat, 0.99) : null,
    evaluate(w, c, b) {
      const cfg = c as SignalsConfig['latencyP99'];
      if (!b.ready || b.value === null || w.requests < cfg.minRequests) return [];
      const value = latencyQuantile(w.lat, 0.99);
      const threshold = cfg.factor * b.value;
      return [
        {
          key: GLOBAL,
          labels: {},
          value,
          threshold,
          baseline: b.value,
          breached: value > threshold,
          summary: `p99 latency ${value.toFixed(0)} ms over ${mins(cfg.windowMs)} (baseline ${b.value.toFixed(0)} ms, x${cfg.factor})`,
        },
      ];
    },
  },
  gpu_memory: {
    configKey: 'gpuMemory',
    evaluate(w, c) {
      const cfg = c as SignalsConfig['gpuMemory'];
      if (w.gpu < 0) return [];
      return [
        {
          key: GLOBAL,
          labels: {},
          value: w.gpu,
          threshold: cfg.threshold,
          baseline: null,
          breached: w.gpu > cfg.threshold,
          summary: `GPU memory utilisation ${pct(w.gpu)} (threshold ${pct(cfg.threshold)})`,
        },
      ];
    },
  },
  token_throughput: {
    configKey: 'tokenThroughput',
    // Half a window of history at least: a window that just opened under-reports the rate.
    baselineSample: (w, c, covered) =>
      covered * 2 >= (c as SignalsConfig['tokenThroughput']).windowMs ? throughput(w, covered) : null,
    evaluate(w, c, b, covered) {
      const cfg = c as SignalsConfig['tokenThroughput'];
      if (!b.ready || b.value === null || b.value < cfg.minBaselinePerSecond || covered * 2 < cfg.windowMs)
        return [];
      const value = throughput(w, covered);
      const threshold = (1 - cfg.dropRatio) * b.value;
      return [
        {
          key: GLOBAL,
          labels: {},
          value,
          threshold,
          baseline: b.value,
          breached: value < threshold,
          summary: `token throughput ${value.toFixed(1)}/s over ${mins(cfg.windowMs)} (baseline ${b.value.toFixed(1)}/s, drop > ${pct(cfg.dropRatio)})`,
        },
      ];
    },
  },
  guardrail_block_rate: {
    configKey: 'guardrailBlockRate',
    baselineSample: (w, c) =>
      w.requests >= (c as SignalsConfig['guardrailBlockRate']).minRequests ? blockRate(w) : null,
    evaluate(w, c, b) {
      const cfg = c as SignalsConfig['guardrailBlockRate'];
      if (!b.ready || b.value === null || w.requests < cfg.minRequests) return [];
      const value = blockRate(w);
      const threshold = cfg.factor * Math.max(b.value, cfg.minBaselineRate);
      return [
        {
          key: GLOBAL,
          labels: {},
          value,
          threshold,
          baseline: b.value,
          breached: value > threshold,
          summary: `guardrail block rate ${pct(value)} over ${mins(cfg.windowMs)} (baseline ${pct(b.value)}, x${cfg.factor})`,
        },
      ];
    },
  },
  auth_failures: {
    configKey: 'authFailures',
    clearValue: 0,
    evaluate(w, c) {
      const cfg = c as SignalsConfig['authFailures'];
      return perIpOver(
        w.authFail,
        cfg.threshold,
        (ip, n) =>
          `${n} authentication failures from ${ip} in ${mins(cfg.windowMs)} (threshold ${cfg.threshold})`,
      );
    },
  },
  unknown_consumer: {
    configKey: 'unknownConsumer',
    clearValue: 0,
    evaluate(w, c) {
      const cfg = c as SignalsConfig['unknownConsumer'];
      return perIpOver(
        w.unknown,
        cfg.threshold,
        (ip, n) => `${n} request(s) from an unknown consumer at ${ip} in ${mins(cfg.windowMs)}`,
      );
    },
  },
  quota: {
    configKey: 'quota',
    evaluate(w, c) {
      const cfg = c as SignalsConfig['quota'];
      const out: Observation[] = [];
      for (const [k, ratio] of w.quota) {
        const [consumer, dimension] = parseQuotaKey(k);
        out.push({
          key: `${fingerprintPart(consumer)}:${fingerprintPart(dimension)}`,
          labels: { consumer, dimension },
          value: ratio,
          threshold: cfg.threshold,
          baseline: null,
          breached: ratio > cfg.threshold,
          summary: `${consumer} has used ${pct(ratio)} of its ${dimension} quota (threshold ${pct(cfg.threshold)})`,
        });
      }
      return out;
    },
  },
  audit_spool: {
    configKey: 'auditSpool',
    clearValue: 0,
    evaluate(w, c) {
      const cfg = c as SignalsConfig['auditSpool'];
      const out: Observation[] = [];
      const sinks = new Set([...w.spoolDrops.keys(), ...w.spoolFull]);
      for (const sink of sinks) {
        const drops = w.spoolDrops.get(sink) ?? 0;
        const full = w.spoolFull.has(sink);
        if (drops === 0 && !full) continue;
        out.push({
          key: fingerprintPart(sink),
          labels: { sink },
          value: drops,
          threshold: 0,
          baseline: null,
          breached: true,
          summary: `audit spool of sink ${sink} is full: ${drops} event(s) dropped in ${mins(cfg.windowMs)}`,
        });
      }
      return out;
    },
  },
  pace_state: {
    configKey: 'paceState',
    clearValue: 0,
    evaluate(w) {
      const out: Observation[] = [];
      for (const [k, why] of w.pace) {
        const [route, state] = parseModeKey(k);
        out.push({
          key: `${fingerprintPart(route)}:${fingerprintPart(state)}`,
          labels: { route, state },
          value: 1,
          threshold: 0,
          baseline: null,
          breached: true,
          summary: `route ${route} is in PACE ${state}: ${why}`,
        });
      }
      return out;
    },
  },
  kill_switch: {
    configKey: 'killSwitch',
    clearValue: 0,
    evaluate(w) {
      const out: Observation[] = [];
      for (const [k, detail] of w.kill) {
        const [scope, target] = parseModeKey(k);
        out.push({
          key: `${fingerprintPart(scope)}:${fingerprintPart(target)}`,
          labels: { scope, target },
          value: 1,
          threshold: 0,
          baseline: null,
          breached: true,
          summary: detail,
        });
      }
      return out;
    },
  },
  egress_denials: {
    configKey: 'egressDenials',
    clearValue: 0,
    evaluate(w, c) {
      const cfg = c as SignalsConfig['egressDenials'];
      const out: Observation[] = [];
      for (const [identity, n] of w.egressDeny)
        out.push({
          key: fingerprintPart(identity),
          labels: { identity },
          value: n,
          threshold: cfg.threshold,
          baseline: null,
          breached: n > cfg.threshold,
          summary: `${n} egress connection attempts of identity ${identity} denied in ${mins(cfg.windowMs)} (threshold ${cfg.threshold})`,
        });
      return out;
    },
  },
};

export const SIGNAL_NAMES = Object.keys(SIGNALS) as SignalName[];

/** One observation per source IP in the window, breached when its count is over the threshold. */
function perIpOver(
  counts: Iterable<[string, number]>,
  threshold: number,
  summary: (ip: string, n: number) => string,
): Observation[] {
  const out: Observation[] = [];
  for (const [ip, n] of counts) {
    out.push({
      // IPv6 addresses keep their colons: the signal is everything before the first one.
      key: fingerprintPart(ip, true),
      labels: { source_ip: ip },
      value: n,
      threshold,
      baseline: null,
      breached: n > threshold,
      summary: summary(ip, n),
    });
  }
  return out;
}
