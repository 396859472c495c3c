import { z } from 'zod';
import { secretRef } from './core.js';

/**
 * Telemetry: audit events to SIEM sinks (with an on-disk spool per remote sink), Prometheus
 * metrics, the GPU scraper and the alert engine. docs/observability.md is the reference.
 */

const ms = z.number().int().positive();
const sinkName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'expected lower-case letters, digits, _ and - (max 63)');

/** Outbound TLS for remote sinks and webhooks: verification is always on unless explicitly disabled. */
export const clientTlsSchema = z
  .object({
    ca: z.string().min(1).optional().describe('PEM CA bundle file that signs the server certificate'),
    cert: z.string().min(1).optional().describe('PEM client certificate (mutual TLS)'),
    key: z.string().min(1).optional().describe('PEM client key file (or secret reference)'),
    servername: z.string().min(1).optional(),
    minVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
    rejectUnauthorized: z.boolean().default(true),
  })
  .strict();

/** Delivery of remote sinks: batching, retries with exponential backoff and full jitter. */
const deliverySchema = {
  batchSize: z.number().int().positive().max(10_000).default(500),
  maxBatchBytes: z
    .number()
    .int()
    .positive()
    .default(4 * 1_048_576),
  /** How long the sender waits for more events before sending a partial batch. */
  flushIntervalMs: ms.default(1_000),
  timeoutMs: ms.default(10_000),
  backoffInitialMs: ms.default(500),
  backoffMaxMs: ms.default(60_000),
};

const httpAuth = {
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }),
  tls: clientTlsSchema.optional(),
};

export const sinkSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('stdout'), name: sinkName.default('stdout') }).strict(),
  z
    .object({
      kind: z.literal('file'),
      name: sinkName.default('file'),
      path: z.string().min(1),
      /** Rotate when the active file reaches this size; keep `maxFiles` rotated files (path.1 … path.N). */
      maxBytes: z
        .number()
        .int()
        .positive()
        .default(100 * 1_048_576),
      maxFiles: z.number().int().min(1).max(1_000).default(10),
    })
    .strict(),
  z
    .object({
      kind: z.literal('splunk_hec'),
      name: sinkName.default('splunk'),
      ...httpAuth,
      token: secretRef.describe('HEC token (secret reference)'),
      index: z.string().min(1).optional(),
      sourcetype: z.string().min(1).default('gatehouse:audit'),
      source: z.string().min(1).default('gatehouse'),
      ...deliverySchema,
    })
    .strict(),
  z
    .object({
      kind: z.literal('elasticsearch'),
      name: sinkName.default('elasticsearch'),
      ...httpAuth,
      /** Index or data stream; `create` ops with the event id make retries idempotent. */
      index: z.string().min(1).default('logs-gatehouse.audit-default'),
      apiKey: secretRef.optional().describe('Elasticsearch API key (secret reference)'),
      username: z.string().min(1).optional(),
      password: secretRef.optional(),
      ...deliverySchema,
    })
    .strict(),
  z
    .object({
      kind: z.literal('syslog'),
      name: sinkName.default('syslog'),
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535).default(6514),
      tls: clientTlsSchema.prefault({}),
      appName: z
        .string()
        .regex(/^[!-~]{1,48}$/)
        .default('gatehouse'),
      /** RFC 5424 facility number (16 = local0 … 23 = local7; 13 = log audit). */
      facility: z.number().int().min(0).max(23).default(13),
      ...deliverySchema,
    })
    .strict(),
]);

export const webhookSchema = z
  .object({
    kind: z.enum(['generic', 'slack', 'pagerduty']),
    name: z.string().min(1).optional(),
    /** Defaults to https://events.pagerduty.com/v2/enqueue for `pagerduty`. */
    url: z.url({ protocol: /^https?$/ }).optional(),
    /** PagerDuty Events v2 integration key (secret reference). */
    routingKey: secretRef.optional(),
    /** Extra headers (values may be secret references), e.g. an Authorization for a generic receiver. */
    headers: z.record(z.string(), z.string()).default({}),
    minSeverity: z.enum(['low', 'medium', 'high']).default('low'),
    timeoutMs: ms.default(5_000),
    retries: z.number().int().min(0).max(10).default(3),
    tls: clientTlsSchema.optional(),
  })
  .strict()
  .refine((w) => w.kind !== 'pagerduty' || w.routingKey !== undefined, {
    message: 'pagerduty webhooks need routingKey',
    path: ['routingKey'],
  })
  .refine((w) => w.kind === 'pagerduty' || w.url !== undefined, {
    message: 'url is required',
    path: ['url'],
  });

const severity = z.enum(['low', 'medium', 'high']);

/** Common knobs of a signal; each signal adds its threshold. */
const signal = (defaults: { severity: 'low' | 'medium' | 'high'; windowMs: number; forMs: number }) => ({
  enabled: z.boolean().default(true),
  severity: severity.default(defaults.severity),
  /** The window the value is computed over. */
  windowMs: ms.default(defaults.windowMs),
  /** How long the condition must hold before the alert fires (0 = at the first evaluation). */
  forMs: z.number().int().min(0).default(defaults.forMs),
});

const MIN = 60_000;

export const signalsSchema = z
  .object({
    errorRate: z
      .object({
        ...signal({ severity: 'high', windowMs: MIN, forMs: 5 * MIN }),
        threshold: z.number().min(0).max(1).default(0.05),
        minRequests: z.number().int().min(1).default(20),
      })
      .strict()
      .prefault({}),
    latencyP99: z
      .object({
        ...signal({ severity: 'medium', windowMs: 5 * MIN, forMs: 10 * MIN }),
        factor: z.number().positive().default(2),
        minRequests: z.number().int().min(1).default(20),
      })
      .strict()
      .prefault({}),
    gpuMemory: z
      .object({
        ...signal({ severity: 'medium', windowMs: MIN, forMs: 5 * MIN }),
        threshold: z.number().min(0).max(1).default(0.9),
      })
      .strict()
      .prefault({}),
    tokenThroughput: z
      .object({
        ...signal({ severity: 'high', windowMs: 10 * MIN, forMs: 0 }),
        /** Fires when throughput is more than this fraction below baseline. */
        dropRatio: z.number().min(0).max(1).default(0.5),
        /** Baselines under this many tokens/s are too small to judge a drop. */
        minBaselinePerSecond: z.number().min(0).default(1),
      })
      .strict()
      .prefault({}),
    guardrailBlockRate: z
      .object({
        ...signal({ severity: 'medium', windowMs: 15 * MIN, forMs: 0 }),
        factor: z.number().positive().default(3),
        minRequests: z.number().int().min(1).default(20),
        /** A floor under the baseline so that one block after a spotless baseline does not page. */
        minBaselineRate: z.number().min(0).max(1).default(0.01),
      })
      .strict()
      .prefault({}),
    authFailures: z
      .object({
        ...signal({ severity: 'high', windowMs: MIN, forMs: 0 }),
        /** Fires when one source IP has more than this many failures in the window. */
        threshold: z.number().int().min(0).default(10),
      })
      .strict()
      .prefault({}),
    unknownConsumer: z
      .object({
        ...signal({ severity: 'medium', windowMs: 15 * MIN, forMs: 0 }),
        threshold: z.number().int().min(0).default(0),
      })
      .strict()
      .prefault({}),
    quota: z
      .object({
        ...signal({ severity: 'low', windowMs: 60 * MIN, forMs: 0 }),
        threshold: z.number().min(0).max(1).default(0.8),
      })
      .strict()
      .prefault({}),
    auditSpool: z
      .object({
        ...signal({ severity: 'high', windowMs: 5 * MIN, forMs: 0 }),
      })
      .strict()
      .prefault({}),
    /**
     * A route in PACE Alternate or Contingency (issue 16, docs/resilience.md). A state, not a count:
     * each replica's buckets carry the states it held during them, so the window should span two
     * buckets (one closed bucket per replica); the alert resolves one window after the route is back.
     */
    paceState: z
      .object({
        ...signal({ severity: 'high', windowMs: 20_000, forMs: 0 }),
      })
      .strict()
      .prefault({}),
    /** A kill-switch entry engaged (any scope); resolves one window after its release. */
    killSwitch: z
      .object({
        ...signal({ severity: 'high', windowMs: 20_000, forMs: 0 }),
      })
      .strict()
      .prefault({}),
    egressDenials: z
      .object({
        ...signal({ severity: 'high', windowMs: MIN, forMs: 0 }),
        /** Fires when one egress identity has more than this many denied attempts in the window. */
        threshold: z.number().int().min(0).default(10),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export const alertsSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Length of one aggregation bucket; each replica publishes its closed buckets through the store. */
    bucketMs: ms.min(1_000).default(10_000),
    evaluateIntervalMs: ms.min(1_000).default(10_000),
    baseline: z
      .object({
        /** Half-life of the exponentially weighted baseline. */
        halfLifeMs: ms.default(6 * 60 * MIN),
        /** How much traffic-bearing history a baseline needs before a baseline signal may fire. */
        warmupMs: ms.default(60 * MIN),
      })
      .strict()
      .prefault({}),
    signals: signalsSchema.prefault({}),
    webhooks: z.array(webhookSchema).default([]),
    /** Alerts are also written to the audit sinks as `event.kind: alert`. */
    toAuditSinks: z.boolean().default(true),
  })
  .strict();

export const telemetrySchema = z
  .object({
    audit: z
      .object({
        enabled: z.boolean().default(true),
        /** Prompt and response text: off by default; when on, only after the detectors' redaction. */
        includeText: z.boolean().default(false),
        maxTextChars: z.number().int().positive().max(1_000_000).default(4_096),
        /** `service.environment` on every event. */
        environment: z.string().min(1).optional(),
        sinks: z
          .array(sinkSchema)
          .default([])
          .refine((s) => new Set(s.map((x) => x.name)).size === s.length, 'sink names must be unique'),
      })
      .strict()
      .prefault({}),
    spool: z
      .object({
        dir: z.string().min(1).default('.gatehouse/spool'),
        /** Per remote sink; what happens when it fills is `onFull`. */
        maxBytes: z
          .number()
          .int()
          .positive()
          .default(256 * 1_048_576),
        segmentBytes: z
          .number()
          .int()
          .positive()
          .default(8 * 1_048_576),
        /** fsync after each write burst: survives power loss, at a throughput cost. */
        fsync: z.boolean().default(false),
        /**
         * `always`: every event is written to the spool before it is sent (a crash loses at most the
         * last few milliseconds). `onFailure`: events go straight to a healthy sink from memory and
         * reach the disk only when the sink fails, falls behind or the process stops (cheaper; a crash
         * can lose what was in memory, up to one flush interval).
         */
        mode: z.enum(['always', 'onFailure']).default('always'),
        /**
         * When a remote sink's spool reaches 90% of `maxBytes`: `block` refuses new requests with
         * 503 GH_ERR_AUDIT_BACKPRESSURE until it drains below; `drop` keeps serving and, at 100%,
         * drops new events (counted, and the spool alert fires); `byTier` blocks routes of tier 2
         * and 3 and drops for tier 1.
         */
        onFull: z.enum(['byTier', 'block', 'drop']).default('byTier'),
      })
      .strict()
      .prefault({}),
    metrics: z
      .object({
        /** The consumer label is opt-in; the first `maxConsumers` seen get their own value, the rest `_other`. */
        consumerLabel: z.boolean().default(false),
        /** How often Prometheus scrapes Gatehouse: exported rules with a window under 4× this are warned about. */
        scrapeIntervalMs: ms.default(15_000),
        maxConsumers: z.number().int().positive().max(10_000).default(100),
        latencyBuckets: z
          .array(z.number().positive())
          .default([0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120]),
        ttftBuckets: z.array(z.number().positive()).default([0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30]),
        gpu: z
          .object({
            url: z.url({ protocol: /^https?$/ }),
            format: z.enum(['vllm', 'dcgm']),
            intervalMs: ms.default(15_000),
            timeoutMs: ms.default(5_000),
            headers: z.record(z.string(), z.string()).default({}),
            tls: clientTlsSchema.optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .prefault({}),
    alerts: alertsSchema.prefault({}),
  })
  .strict();

export type TelemetryConfig = z.infer<typeof telemetrySchema>;
export type SinkConfig = z.infer<typeof sinkSchema>;
export type SinkKind = SinkConfig['kind'];
export type WebhookConfig = z.infer<typeof webhookSchema>;
export type AlertsConfig = z.infer<typeof alertsSchema>;
export type SignalsConfig = z.infer<typeof signalsSchema>;
export type ClientTlsConfig = z.infer<typeof clientTlsSchema>;
export type Severity = z.infer<typeof severity>;
