import { z } from 'zod';

/**
 * PACE resilience (issue 16, docs/resilience.md): the kill switch, upstream retries, the circuit
 * breaker, backup deployments, the PACE state machine and the durable contingency queue. Per-route
 * settings live under `routes.<alias>`, keyed by the route alias (checked by the feature's lint).
 */

const ms = z.number().int().positive();
const ratio = z.number().min(0).max(1);

/** Kill-switch scopes: `tool` is the placeholder for MCP tool servers (matched once tools exist). */
export const KILL_SCOPES = ['all', 'route', 'consumer', 'deployment', 'tool', 'egress'] as const;
export type KillScope = (typeof KILL_SCOPES)[number];

export const killSwitchSchema = z
  .object({
    /**
     * A file whose presence engages the switch without the control plane or the store (the
     * operator's last resort). Empty: scope `all`; or one JSON object `{scope, target, reason}`.
     */
    file: z.string().min(1).optional(),
    /** How often the store and the file are read when pub/sub says nothing (the fallback). */
    pollMs: ms.max(10_000).default(250),
    /** The maintenance answer while engaged: 503 GH_ERR_MAINTENANCE with this retry-after and message. */
    retryAfterS: z.number().int().positive().max(86_400).default(120),
    message: z.string().min(1).max(512).optional(),
  })
  .strict();

export const retrySchema = z
  .object({
    /** Attempts on one deployment, the first included (1 = no retry). */
    attempts: z.number().int().min(1).max(10).default(3),
    baseMs: ms.default(100),
    maxMs: ms.default(2_000),
    /** A 429's `retry-after` longer than this is not waited for (the next deployment, or the 429, instead). */
    maxRetryAfterMs: ms.default(5_000),
  })
  .strict();

export const breakerSchema = z
  .object({
    /** Failures are counted over this sliding window. */
    windowMs: ms.default(30_000),
    /** Opens when this share of the window's calls failed (with at least `minCalls` calls) ... */
    failureRatio: ratio.default(0.5),
    minCalls: z.number().int().positive().default(10),
    /** ... or after this many failures in a row. */
    consecutiveFailures: z.number().int().positive().default(5),
    /** Stays open this long, then lets `halfOpenProbes` calls through per replica. */
    openMs: ms.default(10_000),
    halfOpenProbes: z.number().int().positive().max(100).default(1),
  })
  .strict();

/** Hysteresis of one degradation signal: enter and exit ratios over a window, and a minimum dwell. */
export const signalSchema = z
  .object({
    windowMs: ms.default(30_000),
    /** Enter when this share of the window's observations reported the failure (and `minFailures` did). */
    enterRatio: ratio.default(0.2),
    minFailures: z.number().int().positive().default(3),
    /** Leave when the share falls to this or below (lower than enterRatio: no flapping). */
    exitRatio: ratio.default(0.05),
    /** A state is held at least this long once entered. */
    minDwellMs: z.number().int().min(0).default(30_000),
  })
  .strict()
  .refine((s) => s.exitRatio < s.enterRatio, { message: 'exitRatio must be below enterRatio' });

export const RISK_TIERS = [1, 2, 3] as const;

/** Which requests Alternate treats as high-risk; any matching condition counts. */
export const highRiskSchema = z
  .object({
    /** Routes at or above this tier: every request is high-risk. */
    minTier: z.union([z.literal(1), z.literal(2), z.literal(3)]).default(2),
    consumers: z.array(z.string().min(1)).default([]),
    /** A request whose input verdicts reached this score (0..1) is high-risk. */
    minScore: ratio.default(0.5),
    /** Requests that offer tools to the model. */
    toolsOffered: z.boolean().default(true),
  })
  .strict();

export const routeResilienceSchema = z
  .object({
    /** Aliases of other routes, tried in order when this route's deployment is down; each is pinned like the primary. */
    backups: z.array(z.string().min(1)).max(8).default([]),
    retry: retrySchema.optional(),
    breaker: breakerSchema.optional(),
    alternate: z
      .object({
        /** `static`: high-risk requests get `staticAnswer`; `refuse`: a coded 503 (tier 3 routes). */
        mode: z.enum(['static', 'refuse']).default('static'),
        staticAnswer: z
          .string()
          .min(1)
          .max(4_096)
          .default('This service is running in a reduced mode. Please try again later.'),
        highRisk: highRiskSchema.prefault({}),
      })
      .strict()
      .prefault({}),
    contingency: z
      .object({
        /** Accept non-streamed requests into the durable queue (202 + job id) when nothing can answer. */
        queue: z.boolean().default(false),
        /** Callback URLs (exact origin + path prefix) a queued job may be delivered to. */
        callbackAllowlist: z.array(z.url({ protocol: /^https?$/ })).default([]),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export const queueSchema = z
  .object({
    /** Attempts per job before it goes to the dead-letter stream. */
    maxAttempts: z.number().int().min(1).max(50).default(5),
    baseBackoffMs: ms.default(1_000),
    maxBackoffMs: ms.default(60_000),
    /** A job claimed by a consumer that died is taken over after this long idle. */
    claimIdleMs: ms.default(30_000),
    /** How long a finished job's result is kept for `GET /v1/gatehouse/jobs/{id}`. */
    resultTtlMs: ms.default(86_400_000),
    /** Cap on queued jobs (the stream is trimmed to it; a full queue refuses with a coded 503). */
    maxJobs: z.number().int().positive().max(1_000_000).default(10_000),
    pollMs: ms.max(60_000).default(500),
  })
  .strict();

export const resilienceSchema = z
  .object({
    enabled: z.boolean().default(true),
    killSwitch: killSwitchSchema.prefault({}),
    retry: retrySchema.prefault({}),
    breaker: breakerSchema.prefault({}),
    signals: z
      .object({
        guard_degraded: signalSchema.prefault({}),
        judge_degraded: signalSchema.prefault({}),
        upstream_degraded: signalSchema.prefault({}),
      })
      .strict()
      .prefault({}),
    queue: queueSchema.prefault({}),
    routes: z.record(z.string(), routeResilienceSchema).default({}),
  })
  .strict();

export type ResilienceConfig = z.infer<typeof resilienceSchema>;
export type RouteResilience = z.infer<typeof routeResilienceSchema>;
export type SignalConfig = z.infer<typeof signalSchema>;
export type BreakerConfig = z.infer<typeof breakerSchema>;
export type RetryConfig = z.infer<typeof retrySchema>;
