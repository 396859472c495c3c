import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { TelemetryConfig } from '../config/schema/telemetry.js';
import { upstreamErrors } from '../errors/codes/upstream.js';
import type { RequestContext } from '../pipeline/context.js';
import { owaspForLimit, owaspForVerdict, owaspLabels as owaspOf } from './owasp.js';
import type { ChannelStats } from './sinks/channel.js';

/**
 * Gatehouse's Prometheus metrics, created on the registry the metrics listener serves (never on
 * the data-plane port). Every label has a bounded set of values: routes are the configured
 * aliases (`_none` before routing), statuses and error codes come from fixed catalogs, free-form
 * names (detectors, dimensions, consumers) pass through a cap that folds the excess into `_other`.
 */
export const OTHER = '_other';
export const NONE = '_none';

/** First `max` distinct values keep their name; later ones read `_other`. */
export function labelCap(max: number): (v: string) => string {
  const seen = new Set<string>();
  return (v) => {
    if (seen.has(v)) return v;
    if (seen.size >= max) return OTHER;
    seen.add(v);
    return v;
  };
}

type TimeoutPhase = 'connect' | 'first_byte' | 'idle' | 'total';
const TIMEOUTS: Readonly<Record<string, TimeoutPhase>> = {
  GH_ERR_UPSTREAM_CONNECT_TIMEOUT: 'connect',
  GH_ERR_UPSTREAM_FIRST_BYTE_TIMEOUT: 'first_byte',
  GH_ERR_UPSTREAM_IDLE_TIMEOUT: 'idle',
  GH_ERR_UPSTREAM_TOTAL_TIMEOUT: 'total',
};
const UPSTREAM_CODES: ReadonlySet<string> = new Set(Object.keys(upstreamErrors));

export interface TelemetryMetrics {
  request(ctx: RequestContext, latencySeconds: number): void;
  authFailure(reason: string): void;
  unknownConsumer(): void;
  limitRejection(route: string | null, dimension: string): void;
  budgetThreshold(dimension: string): void;
  gpu(samples: ReadonlyArray<{ gpu: string; ratio: number }>, source: string): void;
  gpuScrapeError(): void;
  /** Pull sources, read at scrape time. */
  bindSinks(stats: () => readonly ChannelStats[]): void;
  bindAlerts(
    firing: () => ReadonlyArray<{ signal: string; severity: string }>,
    gauges: () => AlertGauges,
  ): void;
}

/** Cached series cells of the per-request metrics (bounded labels: this only guards the memory). */
const MAX_CELLS = 4096;

type Labels = Readonly<Record<string, string>>;
/** One counter series: its labels, built once, and the increments not yet handed to prom-client. */
interface Tally {
  readonly labels: Labels;
  n: number;
}
interface Cell {
  readonly requests: Tally;
  readonly input: Tally;
  readonly output: Tally;
  readonly duration: Labels;
  readonly ttft: Labels;
  readonly cost: Labels;
}

function newCell(route: string, endpoint: string, status: number, consumer: string | null): Cell {
  const who: Labels = consumer === null ? {} : { consumer };
  return {
    requests: {
      labels: {
        route,
        endpoint,
        status: String(status),
        status_class: `${Math.floor(status / 100)}xx`,
        ...who,
      },
      n: 0,
    },
    input: { labels: { route, type: 'input', ...who }, n: 0 },
    output: { labels: { route, type: 'output', ...who }, n: 0 },
    duration: { route, endpoint },
    ttft: { route },
    cost: { route, ...who },
  };
}

function flush1(metric: Counter, t: Tally): void {
  if (t.n > 0) metric.inc(t.labels, t.n);
  t.n = 0;
}

export interface AlertGauges {
  readonly authFailuresMaxPerIp: number;
  readonly quotaMaxRatio: ReadonlyArray<{ dimension: string; ratio: number }>;
  /** Each signal's state (the engine's `signalStates()`); `until` in ms since the epoch. */
  readonly signals: ReadonlyArray<{ signal: string; state: SignalStateName; remainingMs: number }>;
}

export const SIGNAL_STATES = ['evaluating', 'warming_up', 'disabled'] as const;
export type SignalStateName = (typeof SIGNAL_STATES)[number];

export function createMetrics(reg: Registry, cfg: TelemetryConfig['metrics']): TelemetryMetrics {
  const withConsumer = cfg.consumerLabel;
  const consumerOf = labelCap(cfg.maxConsumers);
  const detectorOf = labelCap(64);
  const dimensionOf = labelCap(32);
  const reasonOf = labelCap(64);
  const gpuOf = labelCap(64);
  const c = (labels: string[]): string[] => (withConsumer ? [...labels, 'consumer'] : labels);

  // Per-request series: the label objects of one (route, endpoint, status, consumer) are built once
  // and kept in `cells`; the integer counters add up in the cell and reach prom-client when it
  // collects (every scrape reads exact totals). Saves the label hashing and validation per request.
  const cells = new Map<string, Cell>();
  const flush = (metric: Counter, pick: (cell: Cell) => readonly Tally[]): void => {
    for (const cell of cells.values()) for (const t of pick(cell)) flush1(metric, t);
  };
  const requests: Counter = new Counter({
    name: 'gatehouse_requests_total',
    help: 'Data-plane requests by route, endpoint and HTTP status',
    labelNames: c(['route', 'endpoint', 'status', 'status_class']),
    registers: [reg],
    collect() {
      flush(requests, (cell) => [cell.requests]);
    },
  });
  const duration = new Histogram({
    name: 'gatehouse_request_duration_seconds',
    help: 'Time from arrival to the end of the response',
    labelNames: ['route', 'endpoint'],
    buckets: cfg.latencyBuckets,
    registers: [reg],
  });
  const ttft = new Histogram({
    name: 'gatehouse_time_to_first_token_seconds',
    help: 'Time from arrival to the first byte of model output sent to the client',
    labelNames: ['route'],
    buckets: cfg.ttftBuckets,
    registers: [reg],
  });
  const tokens: Counter = new Counter({
    name: 'gatehouse_tokens_total',
    help: 'Tokens by route and type (input, output)',
    labelNames: c(['route', 'type']),
    registers: [reg],
    collect() {
      flush(tokens, (cell) => [cell.input, cell.output]);
    },
  });
  const cost = new Counter({
    name: 'gatehouse_cost_usd_total',
    help: 'Estimated cost in US dollars',
    labelNames: c(['route']),
    registers: [reg],
  });
  const verdicts = new Counter({
    name: 'gatehouse_guardrail_verdicts_total',
    help: 'Guardrail verdicts by phase, detector and action, with their OWASP LLM and Agentic ids',
    labelNames: ['phase', 'detector', 'action', 'owasp_llm', 'owasp_asi'],
    registers: [reg],
  });
  const authFailures = new Counter({
    name: 'gatehouse_auth_failures_total',
    help: 'Failed authentications by reason (error code)',
    labelNames: ['reason'],
    registers: [reg],
  });
  const unknown = new Counter({
    name: 'gatehouse_unknown_consumer_requests_total',
    help: 'Requests presenting a credential that maps to no configured consumer',
    registers: [reg],
  });
  const limits = new Counter({
    name: 'gatehouse_limiter_rejections_total',
    help: 'Requests refused by the limiter, by route and dimension, with their OWASP ids',
    labelNames: ['route', 'dimension', 'owasp_llm', 'owasp_asi'],
    registers: [reg],
  });
  const budget = new Counter({
    name: 'gatehouse_budget_threshold_events_total',
    help: 'Budget or quota threshold crossings by dimension, with their OWASP ids',
    labelNames: ['dimension', 'owasp_llm', 'owasp_asi'],
    registers: [reg],
  });
  const upErrors = new Counter({
    name: 'gatehouse_upstream_errors_total',
    help: 'Failed upstream exchanges by route and error code',
    labelNames: ['route', 'code'],
    registers: [reg],
  });
  const upTimeouts = new Counter({
    name: 'gatehouse_upstream_timeouts_total',
    help: 'Upstream timeouts by route and phase (connect, first_byte, idle, total)',
    labelNames: ['route', 'phase'],
    registers: [reg],
  });
  const gpuRatio = new Gauge({
    name: 'gatehouse_gpu_memory_utilization_ratio',
    help: 'GPU memory utilisation (0-1) read from the upstream metrics endpoint',
    labelNames: ['gpu', 'source'],
    registers: [reg],
  });
  const gpuErrors = new Counter({
    name: 'gatehouse_gpu_scrape_errors_total',
    help: 'Failed reads of the upstream GPU metrics endpoint',
    registers: [reg],
  });

  let sinkStats: () => readonly ChannelStats[] = () => [];
  const sinkGauge = (name: string, help: string, pick: (s: ChannelStats) => number): void => {
    new Gauge({
      name,
      help,
      labelNames: ['sink'],
      registers: [reg],
      collect() {
        for (const s of sinkStats()) this.set({ sink: s.name }, pick(s));
      },
    });
  };
  /** Counters fed at scrape time from the channels' running totals. */
  const sinkCounter = (name: string, help: string, pick: (s: ChannelStats) => number): void => {
    const last = new Map<string, number>();
    new Counter({
      name,
      help,
      labelNames: ['sink'],
      registers: [reg],
      collect() {
        for (const s of sinkStats()) {
          const v = pick(s);
          const d = v - (last.get(s.name) ?? 0);
          if (d > 0) this.inc({ sink: s.name }, d);
          else this.inc({ sink: s.name }, 0);
          last.set(s.name, v);
        }
      },
    });
  };
  sinkGauge(
    'gatehouse_audit_sink_queue_depth',
    'Audit events accepted but not yet delivered, per sink',
    (s) => s.depth,
  );
  sinkGauge('gatehouse_audit_spool_bytes', 'Bytes waiting in the on-disk spool, per sink', (s) => s.bytes);
  sinkGauge('gatehouse_audit_spool_capacity_bytes', 'Spool capacity, per sink', (s) => s.capacityBytes);
  sinkGauge('gatehouse_audit_sink_up', '1 when the last delivery to the sink succeeded', (s) =>
    s.up ? 1 : 0,
  );
  sinkGauge('gatehouse_audit_spool_full', '1 when the spool refused the last event for lack of room', (s) =>
    s.full ? 1 : 0,
  );
  sinkCounter(
    'gatehouse_audit_events_delivered_total',
    'Audit events delivered, per sink',
    (s) => s.delivered,
  );
  sinkCounter(
    'gatehouse_audit_events_dropped_total',
    'Audit events dropped (spool full), per sink',
    (s) => s.dropped,
  );
  sinkCounter(
    'gatehouse_audit_events_rejected_total',
    'Audit events refused by the receiver (dead-lettered)',
    (s) => s.rejected,
  );
  sinkCounter('gatehouse_audit_sink_failures_total', 'Failed delivery attempts, per sink', (s) => s.failures);

  let firing: () => ReadonlyArray<{ signal: string; severity: string }> = () => [];
  let alertGauges: () => AlertGauges = () => ({ authFailuresMaxPerIp: 0, quotaMaxRatio: [], signals: [] });
  new Gauge({
    name: 'gatehouse_alerts_firing',
    help: 'Alerts currently firing, by signal and severity',
    labelNames: ['signal', 'severity'],
    registers: [reg],
    collect() {
      this.reset();
      for (const a of firing()) this.inc({ signal: a.signal, severity: a.severity });
    },
  });
  // One series per signal and state (1 = the current one): a signal that cannot fire is visible.
  new Gauge({
    name: 'gatehouse_alert_signal_state',
    help: 'State of each alert signal: 1 for its current state (evaluating, warming_up, disabled)',
    labelNames: ['signal', 'state'],
    registers: [reg],
    collect() {
      this.reset();
      for (const g of alertGauges().signals)
        for (const state of SIGNAL_STATES) this.set({ signal: g.signal, state }, g.state === state ? 1 : 0);
    },
  });
  new Gauge({
    name: 'gatehouse_alert_signal_warmup_remaining_seconds',
    help: 'Seconds, at the earliest, until a warming-up baseline signal can fire (0 when evaluating)',
    labelNames: ['signal'],
    registers: [reg],
    collect() {
      this.reset();
      for (const g of alertGauges().signals)
        if (g.state !== 'disabled') this.set({ signal: g.signal }, g.remainingMs / 1000);
    },
  });
  new Gauge({
    name: 'gatehouse_auth_failures_max_per_source_ip',
    help: 'Highest count of authentication failures from one source IP in the auth-failure window (all replicas)',
    registers: [reg],
    collect() {
      this.set(alertGauges().authFailuresMaxPerIp);
    },
  });
  new Gauge({
    name: 'gatehouse_quota_usage_ratio',
    help: 'Highest quota use (0-1) reported by the limiter in the quota window, by dimension',
    labelNames: ['dimension'],
    registers: [reg],
    collect() {
      this.reset();
      for (const q of alertGauges().quotaMaxRatio) this.set({ dimension: dimensionOf(q.dimension) }, q.ratio);
    },
  });

  return {
    request(ctx, latencySeconds) {
      const route = ctx.route?.alias ?? NONE;
      const endpoint = ctx.endpoint;
      const consumer = withConsumer ? consumerOf(ctx.identity?.consumer ?? NONE) : null;
      const status = ctx.status;
      const key = `${route}\n${endpoint}\n${status}\n${consumer ?? ''}`;
      let cell = cells.get(key);
      if (cell === undefined) {
        cell = newCell(route, endpoint, status, consumer);
        // Every label is bounded, so this cap is a safety net: past it, cells are not kept.
        if (cells.size < MAX_CELLS) cells.set(key, cell);
      }
      cell.requests.n += 1;
      duration.observe(cell.duration, latencySeconds);
      if (ctx.ttftMs !== null) ttft.observe(cell.ttft, ctx.ttftMs / 1000);
      const usage = ctx.usage;
      if (usage !== null) {
        if (usage.inputTokens > 0) cell.input.n += usage.inputTokens;
        if (usage.outputTokens > 0) cell.output.n += usage.outputTokens;
      }
      // Cost is fractional: summed in prom-client as before, so totals keep their rounding.
      if (ctx.cost > 0) cost.inc(cell.cost, ctx.cost);
      if (!cells.has(key)) {
        flush1(requests, cell.requests);
        flush1(tokens, cell.input);
        flush1(tokens, cell.output);
      }
      for (const v of ctx.verdicts)
        verdicts.inc({
          phase: v.phase,
          detector: detectorOf(v.detector),
          action: v.action,
          ...owaspOf(owaspForVerdict(v.phase, v.detector)),
        });
      const code = ctx.error?.code;
      if (code !== undefined && UPSTREAM_CODES.has(code)) {
        upErrors.inc({ route, code });
        const phase = TIMEOUTS[code];
        if (phase !== undefined) upTimeouts.inc({ route, phase });
      }
    },
    authFailure: (reason) => authFailures.inc({ reason: reasonOf(reason) }),
    unknownConsumer: () => unknown.inc(),
    limitRejection: (route, dimension) =>
      limits.inc({
        route: route ?? NONE,
        dimension: dimensionOf(dimension),
        ...owaspOf(owaspForLimit(dimension)),
      }),
    budgetThreshold: (dimension) =>
      budget.inc({ dimension: dimensionOf(dimension), ...owaspOf(owaspForLimit(dimension)) }),
    gpu(samples, source) {
      gpuRatio.reset();
      for (const s of samples) gpuRatio.set({ gpu: gpuOf(s.gpu), source }, s.ratio);
    },
    gpuScrapeError: () => gpuErrors.inc(),
    bindSinks(stats) {
      sinkStats = stats;
    },
    bindAlerts(f, g) {
      firing = f;
      alertGauges = g;
    },
  };
}
