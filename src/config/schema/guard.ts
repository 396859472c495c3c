import { isSupportedCountry } from 'libphonenumber-js';
import { z } from 'zod';
import { ACTIONS, HARM_CATEGORIES, PII_ENTITIES } from '../../formats/guard-names.js';
import { secretRef } from './core.js';
import { onnxClassifierSchema } from './guard-onnx.js';

/**
 * Input guardrails (issue 5): docs/guardrails.md is the reference. `defaults` and each entry of
 * `routes` are partial policies laid over the built-in defaults (src/guard/policy-defaults.ts) in that
 * order, one level deep per detector section, so a route states only what differs.
 */

const action = z.enum(ACTIONS);
const score = z.number().min(0).max(1);
const CHAT_ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'function'] as const;

const injectionPolicy = z
  .object({
    enabled: z.boolean(),
    action,
    /** Score at or above which user content is an attack. */
    threshold: score,
    /** Threshold for tool results, function outputs and retrieved documents (indirect injection). */
    indirectThreshold: score,
    /** Action for indirect content; a poisoned document is often better flagged than refused. */
    indirectAction: action,
    /**
     * Threshold of the off-task signal (an instruction inside data that is not about the user's
     * request: tool results, documents, quoted e-mails; docs/guardrails.md). 0.5 is the point the
     * shipped model was calibrated to; its findings take `indirectAction`.
     */
    offTaskThreshold: score,
  })
  .partial()
  .strict();

const piiPolicy = z
  .object({
    enabled: z.boolean(),
    /** Action per entity type; entities not listed use `action`. */
    action,
    entities: z.partialRecord(z.enum(PII_ENTITIES), action),
  })
  .partial()
  .strict();

const secretsPolicy = z
  .object({
    enabled: z.boolean(),
    action,
    /** Action per secret type (e.g. `PUBLIC_IP: allow`); others use `action`. */
    types: z.record(z.string().regex(/^[A-Z0-9_]+$/), action),
  })
  .partial()
  .strict();

const contentPolicy = z
  .object({
    enabled: z.boolean(),
    action,
    /** Topics refused on this route: each is a list of phrases matched on folded text (word boundaries). */
    deniedTopics: z.record(
      z.string().regex(/^[a-z0-9_-]{1,40}$/),
      z.array(z.string().min(2).max(200)).min(1).max(200),
    ),
    /**
     * Harmful-intent categories refused on this route (built-in classifier, docs/guardrails.md): a
     * request for the category's harm, in any wrapper; role-play or a mention alone is not one.
     */
    deniedHarm: z.array(z.enum(HARM_CATEGORIES)).max(HARM_CATEGORIES.length),
    /** Operator regular expressions, compiled with re2js (linear time, no back-references); `(?i)` for case-insensitive. */
    deniedPatterns: z.array(z.string().min(1).max(1_000)).max(200),
    /** Most messages a chat request may carry (after the edge's own cap). */
    maxMessages: z.number().int().positive(),
    /** Roles a consumer may send; e.g. drop `system` so the operator's system prompt cannot be replaced. */
    allowedRoles: z.array(z.enum(CHAT_ROLES)).min(1),
  })
  .partial()
  .strict();

export const guardPolicySchema = z
  .object({
    injection: injectionPolicy.optional(),
    pii: piiPolicy.optional(),
    secrets: secretsPolicy.optional(),
    policy: contentPolicy.optional(),
  })
  .strict();

const httpClassifierSchema = z
  .object({
    /** `openai-moderation`: POST {input} -> results[0].category_scores; `prompt-guard`: vLLM /classify. */
    kind: z.enum(['openai-moderation', 'prompt-guard']),
    url: z.url({ protocol: /^https?$/ }),
    apiKey: secretRef.optional(),
    model: z.string().min(1).optional(),
    timeoutMs: z.number().int().positive().max(10_000).default(300),
    /** Score at or above which the request is an attack (combined with the built-in score by max). */
    threshold: score.default(0.5),
    /** What a timeout or error means: `allow` keeps serving on the built-ins, `block` fails closed. */
    onError: z.enum(['allow', 'block']).default('allow'),
  })
  .strict();

export const guardSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Forward text without invisible characters (ASCII smuggling never reaches the model); NFKC only where a value was redacted. */
    rewriteNormalised: z.boolean().default(true),
    decode: z
      .object({
        maxViews: z.number().int().min(0).max(64).default(8),
        maxDecodedChars: z.number().int().min(0).max(1_000_000).default(16_384),
      })
      .strict()
      .prefault({}),
    /** Characters scanned per text; longer texts are scanned on their head and tail. */
    maxScanChars: z.number().int().min(1_000).max(2_000_000).default(200_000),
    injection: z
      .object({
        /** Weights file; the shipped models/injection.json when absent. */
        modelPath: z.string().min(1).optional(),
        classifier: z.boolean().default(true),
        http: httpClassifierSchema.optional(),
        onnx: onnxClassifierSchema.optional(),
      })
      .strict()
      .prefault({}),
    pii: z
      .object({
        // `nlp` (compromise's parser, ~3 ms per sentence) was removed with the compromise dependency.
        names: z
          .enum(['lexicon'], { error: 'only "lexicon" is supported ("nlp" was removed)' })
          .default('lexicon'),
        /**
         * Region hint for phone numbers written the national way without a phone word (ISO 3166
         * alpha-2 codes, tried in order; each costs one libphonenumber validation of the request's
         * budget).
         */
        phoneRegions: z
          .array(
            z
              .string()
              .regex(/^[A-Z]{2}$/, 'an ISO 3166 alpha-2 code in capitals, e.g. "GB"')
              .refine((c) => isSupportedCountry(c), 'a region libphonenumber knows'),
          )
          .min(1)
          .max(4)
          .default(['US']),
      })
      .strict()
      .prefault({}),
    secrets: z
      .object({
        /** Exact values never reported (documented examples are built in). */
        allowlist: z.array(z.string().min(1)).default([]),
        keywordEntropy: z.boolean().default(true),
        publicIp: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    defaults: guardPolicySchema.prefault({}),
    /** Per-route overrides, keyed by alias. */
    routes: z.record(z.string(), guardPolicySchema).default({}),
  })
  .strict();

export type GuardConfig = z.infer<typeof guardSchema>;
export type GuardPolicyInput = z.infer<typeof guardPolicySchema>;
export type ChatRole = (typeof CHAT_ROLES)[number];
