import { z } from 'zod';

/**
 * Token-aware limits and budgets (issue 4). docs/limits.md is the reference: it states exactly
 * what a consumer may send and when. Every number here is per consumer per route, except
 * `global.concurrency`, which is per route (the model deployment) across all replicas.
 */

const count = z.number().int().positive();

/**
 * One rate dimension: two sliding windows. In any 60 s a consumer gets at most `perMinute + burst`;
 * in any `sustainMinutes` minutes at most `perMinute × sustainMinutes`. So a batch may spike above
 * the per-minute rate, but the average over the longer window stays at `perMinute`.
 */
export const rateSchema = z
  .object({
    perMinute: count,
    burst: z.number().int().min(0).default(0),
    sustainMinutes: z.number().int().min(2).max(60).default(5),
  })
  .strict();

/** Cost in US dollars over a sliding hour. Soft cap: one alert event per hour, the request passes. Hard cap: 429. */
export const costSchema = z
  .object({
    softPerHour: z.number().nonnegative(),
    hardPerHour: z.number().positive(),
  })
  .strict()
  .refine((c) => c.softPerHour <= c.hardPerHour, {
    message: 'softPerHour must not exceed hardPerHour',
    path: ['softPerHour'],
  });

export const planSchema = z
  .object({
    requests: rateSchema,
    inputTokens: rateSchema,
    outputTokens: rateSchema,
    cost: costSchema,
    /** Concurrent requests of one consumer on one route. */
    concurrency: count,
  })
  .strict();

/** A route override: any part of a plan, applied on top of whichever plan the consumer has. */
export const planOverrideSchema = z
  .object({
    requests: rateSchema.optional(),
    inputTokens: rateSchema.optional(),
    outputTokens: rateSchema.optional(),
    cost: costSchema.optional(),
    concurrency: count.optional(),
    /** Concurrent requests on this route from everyone, across replicas. */
    globalConcurrency: count.optional(),
  })
  .strict();

export const priceSchema = z
  .object({
    inputPerMillion: z.number().nonnegative(),
    outputPerMillion: z.number().nonnegative(),
  })
  .strict();

/** What admission does while Redis is unreachable. `local`: per-replica limits divided by `replicas`. */
export const POSTURES = ['closed', 'local'] as const;
export type Posture = (typeof POSTURES)[number];

/** The seed guide's example numbers ("60 rpm for standard, 200 rpm for premium", 100K/50K tokens, $10/$50). */
const DEFAULT_PLANS = {
  standard: {
    requests: { perMinute: 60, burst: 30, sustainMinutes: 5 },
    inputTokens: { perMinute: 100_000, burst: 50_000, sustainMinutes: 5 },
    outputTokens: { perMinute: 50_000, burst: 25_000, sustainMinutes: 5 },
    cost: { softPerHour: 10, hardPerHour: 50 },
    concurrency: 5,
  },
  premium: {
    requests: { perMinute: 200, burst: 100, sustainMinutes: 5 },
    inputTokens: { perMinute: 300_000, burst: 150_000, sustainMinutes: 5 },
    outputTokens: { perMinute: 150_000, burst: 75_000, sustainMinutes: 5 },
    cost: { softPerHour: 50, hardPerHour: 200 },
    concurrency: 20,
  },
};

const planName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'expected lower-case letters, digits, _ and - (max 63)');

export const limitsSchema = z
  .object({
    /** Off only on purpose: a gateway without limits is an unbounded-consumption risk (LLM10). */
    enabled: z.boolean().default(true),
    plans: z.record(planName, planSchema).default(DEFAULT_PLANS),
    /** Plan for identities without one (and for the 'anonymous' consumer of open routes). */
    defaultPlan: planName.default('standard'),
    global: z
      .object({ concurrency: count.default(100) })
      .strict()
      .prefault({}),
    /** Per-route overrides, keyed by alias. */
    routes: z.record(z.string(), planOverrideSchema).default({}),
    /** Price per pinned model id (the route's `upstream.model`). Unpriced models cost 0 and are warned about at boot. */
    prices: z.record(z.string(), priceSchema).default({}),
    /** Posture per risk tier when Redis is unreachable. Never unlimited. */
    onStoreDown: z
      .object({
        tier1: z.enum(POSTURES).default('local'),
        tier2: z.enum(POSTURES).default('closed'),
        tier3: z.enum(POSTURES).default('closed'),
      })
      .strict()
      .prefault({}),
    /** Replicas sharing the Redis store; the `local` posture divides every limit by it. */
    replicas: count.default(1),
    /** A concurrency lease outlives the route's `timeouts.totalMs` by this much, then expires (memory store, local posture). */
    leaseGraceMs: count.default(10_000),
    /**
     * On Redis: a lease lives this long unless its replica renews it (a heartbeat every third of
     * it), so a crashed or frozen replica's slots come back within it (docs/limits.md).
     */
    leaseTtlMs: z.number().int().min(1_000).max(300_000).default(10_000),
    /** One event per window when any quota reaches this fraction (the guide's "Quota approaching limit"). */
    alertRatio: z.number().gt(0).max(1).default(0.8),
    /**
     * `redis`: windows use the Redis server's clock (no skew between replicas).
     * `local`: each replica's clock (tests inject one).
     */
    clock: z.enum(['redis', 'local']).default('redis'),
  })
  .strict()
  .superRefine((l, ctx) => {
    if (l.enabled && l.plans[l.defaultPlan] === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['defaultPlan'],
        message: `plan "${l.defaultPlan}" is not defined`,
      });
  });

export type LimitsConfig = z.infer<typeof limitsSchema>;
export type PlanConfig = z.infer<typeof planSchema>;
export type PlanOverride = z.infer<typeof planOverrideSchema>;
export type RateConfig = z.infer<typeof rateSchema>;
