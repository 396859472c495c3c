import { z } from 'zod';

/**
 * Canary deployments (docs/canary.md): a route's traffic is split between its own pinned deployment
 * (the baseline) and a second one (the canary, another configured route: a new model version, or the
 * same model behind a changed system prompt or guard policy), compared continuously, rolled back on
 * its own and promoted only by an approver through the control plane.
 */
export const canaryGatesSchema = z
  .object({
    /** Requests per side before any rate, distribution or latency gate may decide. */
    minSamples: z.number().int().min(20).default(200),
    /** Judge evaluations per side before the Judge gate may decide. */
    judgeMinSamples: z.number().int().min(5).default(30),
    /** Total false-alarm probability of one canary run, spent over looks (docs/canary.md). */
    alpha: z.number().gt(0).lt(0.5).default(0.01),
    /** Allowed absolute increase of a detector's block+flag rate (canary − baseline). */
    guardRateDelta: z.number().min(0).max(1).default(0.02),
    /** Allowed absolute increase of the Judge flag rate (calibrated rubrics only). */
    judgeRateDelta: z.number().min(0).max(1).default(0.05),
    /** Allowed absolute increase of the error rate. */
    errorRateDelta: z.number().min(0).max(1).default(0.02),
    /**
     * Output-token shift: the Mann–Whitney effect size P(canary > baseline) + ½P(tie) allowed away
     * from 0.5 in either direction (0.1: one side longer in 60% of pairs).
     */
    tokenEffect: z.number().gt(0).max(0.5).default(0.1),
    /** p99 latency ratio canary / baseline allowed. */
    p99Ratio: z.number().min(1).default(1.5),
    /** And by at least this many milliseconds (scheduler jitter on fast answers is not a regression). */
    p99MinDeltaMs: z.number().min(0).default(50),
    /** Mean cost per request ratio canary / baseline allowed. */
    costRatio: z.number().min(1).default(1.25),
  })
  .strict();

export const canaryRouteSchema = z
  .object({
    /** The route (alias) consumers call. */
    route: z.string().min(1),
    /** The canary deployment: another configured route whose upstream (and model pin) is used. */
    deployment: z.string().min(1),
    /** Percent of consumers sent to the canary at the start (1 .. canary.maxWeight). */
    weight: z.number().min(0.1).max(100).default(1),
    /** What keeps a conversation on one side: the consumer, or the session (falls back to the consumer). */
    stickBy: z.enum(['consumer', 'session']).default('consumer'),
    /** Weights promotion steps through, each behind the same gates; the last must be 100. */
    stages: z.array(z.number().gt(0).max(100)).min(1).max(8).default([5, 25, 100]),
    /** How long the old deployment stays the hot standby after a promotion (one-click rollback). */
    standbyMs: z.number().int().positive().default(86_400_000),
    gates: canaryGatesSchema.prefault({}),
  })
  .strict()
  .refine((c) => c.stages.at(-1) === 100, { message: 'the last stage must be 100', path: ['stages'] })
  .refine((c) => c.stages.every((s, i) => i === 0 || s > (c.stages[i - 1] ?? 0)), {
    message: 'stages must increase',
    path: ['stages'],
  });

export const canarySchema = z
  .object({
    /** Ceiling of the starting weight (percent): a canary is a small slice. */
    maxWeight: z.number().min(0.1).max(100).default(5),
    /** How often each replica evaluates the gates (they agree: the counts live in the store). */
    evaluateMs: z.number().int().min(50).default(1_000),
    /** How often each replica re-reads the canary state (pub/sub usually delivers it first). */
    pollMs: z.number().int().min(50).default(500),
    routes: z.array(canaryRouteSchema).max(64).default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    c.routes.forEach((r, i) => {
      if (r.weight > c.maxWeight)
        ctx.addIssue({
          code: 'custom',
          path: ['routes', i, 'weight'],
          message: `weight ${r.weight} is above canary.maxWeight ${c.maxWeight}`,
        });
    });
  });

export type CanaryConfig = z.infer<typeof canarySchema>;
export type CanaryRouteConfig = z.infer<typeof canaryRouteSchema>;
export type CanaryGates = z.infer<typeof canaryGatesSchema>;
