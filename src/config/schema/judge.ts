import { z } from 'zod';
import { RUBRIC_KINDS } from '../../formats/judge-names.js';
import { secretRef } from './core.js';
import { upstreamTlsSchema } from './route.js';

/**
 * The Judge (docs/judge.md): sampled and flagged traffic, evaluated after the answer by a different
 * model, findings to a human review queue. Off by default; every cost that grows is capped here.
 */

const rate = z.number().min(0).max(1);
const ms = z.number().int().positive();
const rubricName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,47}$/, 'expected lower-case letters, digits and _ (max 48)');

/** The Judge model: an OpenAI-compatible chat endpoint, configured like a route's upstream. */
export const judgeEndpointSchema = z
  .object({
    url: z
      .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
      .describe('base URL, e.g. http://judge:8000/v1'),
    /** The pinned Judge model id; lint refuses one equal to a judged route's model. */
    model: z.string().min(1),
    apiKey: secretRef.optional(),
    headers: z.record(z.string(), z.string()).default({}),
    /** TLS toward the Judge, as a route's `upstream.tls`: CA, client certificate, server name, pins, minimum version. */
    tls: upstreamTlsSchema.optional(),
    connections: z.number().int().positive().max(256).default(8),
    timeoutMs: ms.default(30_000),
    maxTokens: z.number().int().positive().max(8_192).default(512),
    /** Bytes of a Judge answer read at most. */
    maxResponseBytes: z.number().int().positive().default(262_144),
    /** Price of the Judge model, for the hourly budget (USD per 1 000 tokens). */
    inputPer1kUsd: z.number().min(0).default(0),
    outputPer1kUsd: z.number().min(0).default(0),
  })
  .strict()
  .refine((e) => e.tls === undefined || e.url.startsWith('https:'), {
    message: 'judge.endpoint.tls needs an https:// url',
    path: ['tls'],
  });

const samplingRule = z.object({ rate }).strict();

export const judgeSamplingSchema = z
  .object({
    /** Share of unflagged answers judged, per tier (flagged and near-miss answers are always judged). */
    tiers: z
      .object({
        1: samplingRule.default({ rate: 0.01 }),
        2: samplingRule.default({ rate: 0.1 }),
        3: samplingRule.default({ rate: 0.2 }),
      })
      .strict()
      .prefault({}),
    /** Per-route overrides of the tier's rate, by alias. */
    routes: z.record(z.string(), samplingRule).default({}),
    /** An `allow` verdict scoring at least this is a near miss: always judged. */
    nearMissScore: rate.default(0.35),
  })
  .strict();

export const judgeRubricSchema = z
  .object({
    name: rubricName,
    kind: z.enum(RUBRIC_KINDS),
    /** Criteria the Judge scores 0..1 (default: the kind's own, docs/judge.md). */
    criteria: z.array(rubricName).min(1).max(8).optional(),
    /** Extra instructions for the Judge (the operator's policy, in words). */
    instructions: z.string().max(4_000).optional(),
    /** Aliases this rubric judges (default: every route). */
    routes: z.array(z.string()).optional(),
  })
  .strict();

export const judgeSchema = z
  .object({
    enabled: z.boolean().default(false),
    endpoint: judgeEndpointSchema.optional(),
    sampling: judgeSamplingSchema.prefault({}),
    /**
     * `guard`: the request and answer pass through the detectors' redaction before they are queued
     * (the default: no personal data or credential leaves the request in the clear). `none` sends
     * them as they were, for rubrics that must see them (sensitive disclosure); lint warns.
     */
    redaction: z.enum(['guard', 'none']).default('guard'),
    /** Characters of request and answer text kept per record (the rest is cut, marked). */
    maxTextChars: z.number().int().positive().max(200_000).default(16_000),
    rubrics: z.array(judgeRubricSchema).max(32).optional(),
    budget: z
      .object({
        /** Judge spend per hour on random samples, estimated at hand-off (USD). */
        sampledUsdPerHour: z.number().min(0).default(5),
        /** Judge spend per hour on flagged and near-miss records (and everything in Alternate). */
        riskUsdPerHour: z.number().min(0).default(20),
      })
      .strict()
      .prefault({}),
    workers: z
      .object({
        /** Run workers inside the gateway; off when `gatehouse judge` processes do the work. */
        inProcess: z.boolean().default(true),
        concurrency: z.number().int().positive().max(64).default(2),
        /** A record a worker holds this long unacknowledged is taken over by another (crash recovery). */
        claimIdleMs: ms.default(60_000),
        /** Deliveries of one record before it is dropped as poison (counted). */
        maxDeliveries: z.number().int().positive().max(100).default(5),
        /** How long an idle worker waits for records per read. */
        blockMs: ms.max(30_000).default(2_000),
      })
      .strict()
      .prefault({}),
    queue: z
      .object({
        /** Records kept in the stream at most (older ones are trimmed). */
        maxLength: z.number().int().positive().default(100_000),
        /** Unprocessed records beyond which the Judge is degraded. */
        backlogThreshold: z.number().int().positive().default(5_000),
      })
      .strict()
      .prefault({}),
    breaker: z
      .object({
        failureThreshold: z.number().int().positive().default(5),
        openMs: ms.default(30_000),
      })
      .strict()
      .prefault({}),
    calibration: z
      .object({
        /** Cohen's kappa below which a rubric is uncalibrated (it may not gate anything). */
        floor: z.number().min(-1).max(1).default(0.6),
        /** Human decisions a rubric needs before its kappa counts. */
        minDecisions: z.number().int().positive().default(20),
        /** Share of `pass` verdicts also sent to reviewers, so agreement sees both sides. */
        passSampleRate: rate.default(0.05),
      })
      .strict()
      .prefault({}),
    aggregate: z
      .object({
        enabled: z.boolean().default(true),
        /** An hour whose spend exceeds the consumer's own mean by this factor is an anomaly. */
        spikeFactor: z.number().min(1).default(3),
        /** Hours of history a consumer needs before spikes are judged. */
        minHours: z.number().int().positive().default(6),
        /** Quota use at or above this ratio counts as riding the limit. */
        nearLimitRatio: rate.default(0.8),
        /** Hours of the last 24 riding the limit that make a finding. */
        nearLimitHours: z.number().int().positive().max(24).default(6),
        /** Requests an agent makes before its tool-call pairs are its baseline. */
        toolWarmup: z.number().int().positive().default(50),
        /** Consumers and agents tracked at most (least recently seen dropped). */
        maxSubjects: z.number().int().positive().default(10_000),
      })
      .strict()
      .prefault({}),
    review: z
      .object({
        /** Findings kept at most (oldest decided ones dropped first). */
        maxFindings: z.number().int().positive().default(50_000),
        /** A claim lapses after this long without a decision. */
        claimTtlMs: ms.default(3_600_000),
        maxNotes: z.number().int().positive().max(200).default(20),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .refine((j) => !j.enabled || j.endpoint !== undefined, {
    message: 'judge.enabled needs judge.endpoint',
    path: ['endpoint'],
  });

export type JudgeConfig = z.infer<typeof judgeSchema>;
export type JudgeRubricConfig = z.infer<typeof judgeRubricSchema>;
