import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { SinkConfig, TelemetryConfig } from '../config/schema/telemetry.js';
import { resolveSecret, secretRefKind } from '../config/secrets.js';
import type { OperatorAuditRecord } from '../pipeline/admin.js';
import { AUDIT_REDACTOR } from '../pipeline/audit-redactor.js';
import { AUDIT_SINK } from '../pipeline/audit-sink.js';
import type { RequestContext } from '../pipeline/context.js';
import type { ServiceDef } from '../pipeline/feature.js';
import type { Runtime } from '../pipeline/runtime.js';
import type { Store } from '../store/types.js';
import { type AlertEngine, createAlertEngine } from './alerts/engine.js';
import { createWebhookNotifier } from './alerts/webhooks.js';
import { createEventFactory, type EventFactory, GATEHOUSE_VERSION, type Redactor } from './audit/build.js';
import { toLine } from './audit/line.js';
import type { AuditEvent } from './audit/schema.js';
import type { EventSubject, SecurityEventInput } from './audit/security.js';
import { createGpuScraper } from './gpu.js';
import { createMetrics, type TelemetryMetrics } from './metrics.js';
import { createLocalChannel, createSpooledChannel, type SinkChannel } from './sinks/channel.js';
import { createSink } from './sinks/registry.js';
import type { Sink } from './sinks/types.js';
import { startWorkerHub } from './sinks/worker-hub.js';
import { TELEMETRY } from './slots.js';
import { Spool } from './spool.js';

/**
 * The telemetry service: audit sinks (with their spools), metrics, the alert engine and the GPU
 * scraper, built once at boot. Other features reach it through the `TELEMETRY` key (slots.ts).
 */
export interface TelemetryService {
  readonly events: EventFactory;
  readonly metrics: TelemetryMetrics;
  readonly alerts: AlertEngine | null;
  readonly channels: readonly SinkChannel[];
  /** Writes an event to every sink. */
  emit(ev: AuditEvent): void;
  /** The last security, alert and operator events this replica wrote (the control plane's read view). */
  recent(): readonly AuditEvent[];
  /** Writes an already serialised event (one JSON line, docs/audit-events.md) to every sink. */
  emitLine(line: string): void;
  /** An operator's admin call (written to every sink like the data plane's events). */
  operator(record: OperatorAuditRecord): void;
  /** A security event outside a request (mode change, config reload, budget sweep ...). */
  security(input: SecurityEventInput, subject?: EventSubject): void;
  /** A security event of a request (the record stage calls it with the request's context). */
  requestSecurity(input: SecurityEventInput, ctx: RequestContext): void;
  /**
   * True while a remote sink's spool is at its high-water mark (SPOOL_HIGH_WATER of its capacity)
   * or refused its last event: `spool.onFull: block` refuses new requests then.
   */
  backpressure(): boolean;
  /** Resolves true once every sink has delivered what it was given (false at the timeout). */
  drain(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface TelemetryOptions {
  readonly config: TelemetryConfig;
  readonly store: Store;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly redact?: Redactor | undefined;
  readonly now?: () => number;
  readonly replica?: string;
  /** Extra sinks built by the caller (tests, embedding). */
  readonly extraSinks?: readonly Sink[];
  readonly autoTick?: boolean;
  readonly secret?: (ref: string) => string;
}

/** How often sink health and spool state are read for logs and the spool alert. */
const MONITOR_MS = 5_000;
/**
 * Blocking starts here, below 100%, so the requests already running and the refusals themselves
 * still find room for their events.
 */
export const SPOOL_HIGH_WATER = 0.9;
/** Security, alert and operator events kept in memory for the control plane's recent-events read. */
const RECENT_EVENTS = 500;

export async function createTelemetryService(opts: TelemetryOptions): Promise<TelemetryService> {
  const cfg = opts.config;
  const log = opts.logger.child({ component: 'telemetry' });
  const secret = opts.secret ?? ((ref: string) => resolveSecret(ref));
  const events = createEventFactory({
    version: GATEHOUSE_VERSION,
    environment: cfg.audit.environment,
    includeText: cfg.audit.includeText,
    maxTextChars: cfg.audit.maxTextChars,
    redact: opts.redact,
    ...(opts.now !== undefined && { now: opts.now }),
  });
  const metrics = createMetrics(opts.registry, cfg.metrics);

  // Local sinks write on this thread; remote ones (spool + sender) run in the sink worker, or here
  // for sinks handed in by the caller.
  const configured = cfg.audit.enabled ? cfg.audit.sinks : [];
  const remote = configured.filter(isRemote);
  const channels: SinkChannel[] = [];
  const writers: SinkChannel[] = [];
  for (const sc of configured) {
    if (isRemote(sc)) continue;
    const ch = createLocalChannel(createSink(sc, { secret }));
    channels.push(ch);
    writers.push(ch);
  }
  for (const sink of opts.extraSinks ?? []) {
    const ch = sink.remote ? spooledHere(sink, cfg.spool) : createLocalChannel(sink);
    channels.push(ch);
    writers.push(ch);
  }
  const hub =
    remote.length > 0
      ? await startWorkerHub(remote, cfg.spool, resolveSinkSecrets(remote, secret), (message) =>
          log.error(message),
        )
      : null;
  if (hub !== null) channels.push(...hub.channels);
  metrics.bindSinks(() => channels.map((c) => c.stats()));

  const emitLine = (line: string): void => {
    for (const c of writers) c.write(line);
    hub?.write(line);
  };

  // A bounded ring of the non-request events, newest last, for the operator console.
  const ring: AuditEvent[] = [];
  const emit = (ev: AuditEvent): void => {
    if (ev.event.action !== 'gen_ai.request') {
      ring.push(ev);
      if (ring.length > RECENT_EVENTS) ring.shift();
    }
    if (channels.length > 0) emitLine(toLine(ev));
  };

  const webhooks = createWebhookNotifier(cfg.alerts.webhooks, secret, (name, err) =>
    log.warn({ webhook: name, err: (err as Error).message }, 'alert webhook delivery failed'),
  );
  const alerts = cfg.alerts.enabled
    ? createAlertEngine({
        config: cfg.alerts,
        store: opts.store,
        ...(opts.now !== undefined && { now: opts.now }),
        ...(opts.replica !== undefined && { replica: opts.replica }),
        ...(opts.autoTick !== undefined && { autoTick: opts.autoTick }),
        onError: (err) => log.warn({ err: (err as Error).message }, 'alert engine error'),
        async notify(a) {
          log.warn(
            {
              alert: { signal: a.signal, status: a.status, severity: a.severity, fingerprint: a.fingerprint },
            },
            a.summary,
          );
          if (cfg.alerts.toAuditSinks) emit(events.alert(a));
          await webhooks.notify(a);
        },
      })
    : null;
  if (alerts !== null)
    metrics.bindAlerts(
      () => alerts.firing(),
      () => alerts.gauges(),
    );

  /** Counters and alert inputs of a security event. */
  const account = (
    input: SecurityEventInput,
    ip: string | null,
    consumer: string | null,
    route: string | null,
  ): void => {
    switch (input.action) {
      case 'auth.failure':
        metrics.authFailure(input.reason);
        if (ip !== null) alerts?.observeAuthFailure(ip);
        return;
      case 'consumer.unknown':
        metrics.unknownConsumer();
        alerts?.observeUnknownConsumer(ip ?? 'unknown');
        return;
      case 'limit.hit':
        metrics.limitRejection(route, input.dimension);
        return;
      case 'budget.threshold':
        metrics.budgetThreshold(input.dimension);
        if (input.limit > 0)
          alerts?.observeQuota(consumer ?? 'unknown', input.dimension, input.used / input.limit);
        return;
      case 'mode.change': {
        const m = input.mode;
        if (m?.kind === 'pace') alerts?.observePace(m.route, m.state, input.reason ?? '');
        else if (m?.kind === 'kill') alerts?.observeKill(m.scope, m.target, m.engaged, input.reason ?? '');
        return;
      }
      case 'egress.connection':
        if (input.verdict === 'deny') alerts?.observeEgressDenial(consumer ?? 'unknown');
        return;
      default:
        return;
    }
  };

  const wasUp = new Map<string, boolean>();
  const monitor = setInterval(() => {
    for (const c of channels) {
      const s = c.stats();
      if (wasUp.get(s.name) !== s.up)
        (s.up ? log.info.bind(log) : log.warn.bind(log))(
          { sink: s.name, depth: s.depth },
          s.up ? 'audit sink up' : 'audit sink down, spooling',
        );
      wasUp.set(s.name, s.up);
      if (s.remote) alerts?.observeSpool(s.name, s.dropped, s.full);
    }
  }, MONITOR_MS);
  monitor.unref();

  let gpuTimer: NodeJS.Timeout | null = null;
  const gpuCfg = cfg.metrics.gpu;
  const gpu = gpuCfg === undefined ? null : createGpuScraper(gpuCfg, secret);
  if (gpu !== null && gpuCfg !== undefined) {
    const poll = async (): Promise<void> => {
      try {
        const samples = await gpu.scrape();
        metrics.gpu(samples, gpuCfg.format);
        if (samples.length > 0) alerts?.observeGpu(Math.max(...samples.map((s) => s.ratio)));
      } catch {
        metrics.gpuScrapeError();
      }
    };
    void poll();
    gpuTimer = setInterval(() => void poll(), gpuCfg.intervalMs);
    gpuTimer.unref();
  }

  await alerts?.start();
  // A signal that cannot fire yet says so (also on /health/alerts and gatehouse_alert_signal_state).
  for (const w of alerts?.signalStates().filter((x) => x.state === 'warming_up') ?? [])
    log.info({ signal: w.signal, until: new Date(w.until ?? 0).toISOString() }, 'alert signal warming up');

  return {
    events,
    metrics,
    alerts,
    channels,
    emit,
    emitLine,
    recent: () => ring.slice(),
    operator: (record) => emit(events.operator(record)),
    security(input, subject = {}) {
      emit(events.security(input, subject));
      account(input, subject.sourceIp ?? null, subject.consumer ?? null, null);
    },
    requestSecurity(input, ctx) {
      emit(events.security(input, ctx));
      account(input, ctx.sourceIp, ctx.identity?.consumer ?? null, ctx.route?.alias ?? null);
    },
    backpressure() {
      for (const c of channels) {
        const st = c.stats();
        if (st.remote && st.capacityBytes > 0 && (st.full || st.bytes >= st.capacityBytes * SPOOL_HIGH_WATER))
          return true;
      }
      return false;
    },
    async drain(timeoutMs) {
      const r = await Promise.all(channels.map((c) => c.drain(timeoutMs)));
      return r.every(Boolean);
    },
    async close() {
      clearInterval(monitor);
      if (gpuTimer !== null) clearInterval(gpuTimer);
      await alerts?.close();
      // Give healthy sinks a moment to deliver; whatever is left stays in the spool for next start.
      await Promise.all(channels.map((c) => c.drain(c.stats().up ? 2_000 : 0)));
      await Promise.all(channels.map((c) => c.close()));
      await hub?.close();
      await webhooks.close();
      await gpu?.close();
    },
  };
}

/** The service of the telemetry feature (feature.ts): sets `TELEMETRY`, closed with the runtime. */
export const telemetryService: ServiceDef = { name: 'telemetry', build: buildTelemetryService };

export async function buildTelemetryService(rt: Runtime): Promise<void> {
  const svc = await createTelemetryService({
    config: rt.config.telemetry,
    store: rt.store,
    registry: rt.metrics,
    logger: rt.logger,
    redact: AUDIT_REDACTOR.get(rt),
  });
  TELEMETRY.set(rt, svc);
  AUDIT_SINK.set(rt, {
    security: (input, subject) => svc.security(input, subject),
    emitLine: (line) => svc.emitLine(line),
    version: GATEHOUSE_VERSION,
    environment: rt.config.telemetry.audit.environment,
  });
  rt.closers.push(() => svc.close());
}

type RemoteSinkConfig = Extract<SinkConfig, { batchSize: number }>;
const isRemote = (s: SinkConfig): s is RemoteSinkConfig => 'batchSize' in s;

/** The secret references of remote sinks, resolved here so the worker gets values, not lookups. */
function resolveSinkSecrets(
  sinks: readonly RemoteSinkConfig[],
  secret: (ref: string) => string,
): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (ref: string | undefined): void => {
    if (ref !== undefined && secretRefKind(ref) !== 'inline') out[ref] = secret(ref);
  };
  for (const s of sinks) {
    add(s.tls?.key);
    if (s.kind === 'splunk_hec') add(s.token);
    if (s.kind === 'elasticsearch') {
      add(s.apiKey);
      add(s.password);
    }
  }
  return out;
}

/** A remote sink handed in by the caller, spooled and sent on this thread. */
function spooledHere(sink: Sink, spool: TelemetryConfig['spool']): SinkChannel {
  const dir = join(spool.dir, sink.name);
  return createSpooledChannel(
    sink,
    Spool.open({ dir, maxBytes: spool.maxBytes, segmentBytes: spool.segmentBytes, fsync: spool.fsync }),
    {
      batchSize: 500,
      maxBatchBytes: 4 * 1_048_576,
      flushIntervalMs: 1_000,
      backoffInitialMs: 500,
      backoffMaxMs: 60_000,
      capacityBytes: spool.maxBytes,
      deadLetterPath: join(dir, 'rejected.ndjson'),
    },
  );
}
