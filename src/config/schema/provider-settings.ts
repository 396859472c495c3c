import { z } from 'zod';
import { secretRef } from './core.js';

/*
 * Per-provider settings of a route's upstream (src/upstream/providers/) and the managed-endpoint
 * controls (docs/providers.md). Each block is only valid on its provider (upstream refine).
 */

const tokenUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

/** Azure OpenAI: the deployment, a pinned `api-version`, and an API key (upstream.apiKey) or Entra ID. */
export const azureSettingsSchema = z
  .object({
    deployment: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected an Azure deployment name'),
    /** Pinned: a dated GA or preview version, never a moving one. */
    apiVersion: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}(-preview)?$/, 'expected a dated api-version, e.g. 2024-10-21'),
    /** Entra ID client credentials (a service principal) instead of an API key. */
    entra: z
      .object({
        tenantId: z.string().regex(/^[A-Za-z0-9.-]{1,64}$/),
        clientId: z.string().min(1),
        clientSecret: secretRef,
        /** The token endpoint's authority (sovereign clouds differ). */
        authorityUrl: tokenUrl.default('https://login.microsoftonline.com'),
        scope: z.string().default('https://cognitiveservices.azure.com/.default'),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Amazon Bedrock Converse: region, SigV4 credentials, optional guardrail. */
export const bedrockSettingsSchema = z
  .object({
    region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'expected an AWS region, e.g. us-east-1'),
    accessKeyId: secretRef,
    secretAccessKey: secretRef,
    sessionToken: secretRef.optional(),
    guardrail: z
      .object({
        identifier: z.string().min(1),
        /** A numbered version ("DRAFT" floats, and is refused at tier 2+ by lint). */
        version: z.string().regex(/^(\d+|DRAFT)$/),
        trace: z.enum(['enabled', 'disabled']).default('disabled'),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Google Vertex AI Gemini: project, region, and a service-account key for the JWT-bearer exchange. */
export const vertexSettingsSchema = z
  .object({
    project: z.string().regex(/^[a-z][a-z0-9-]{4,61}[a-z0-9]$/, 'expected a GCP project id'),
    location: z.string().regex(/^[a-z]+-[a-z]+\d+$|^global$/, 'expected a Vertex region, e.g. europe-west4'),
    /** The service account's JSON key: a file path or secret reference. */
    serviceAccount: secretRef,
    publisher: z.enum(['google']).default('google'),
  })
  .strict();

/** Anthropic Messages API upstream. */
export const anthropicSettingsSchema = z
  .object({
    version: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .default('2023-06-01'),
    beta: z
      .array(z.string().regex(/^[a-z0-9-]+$/))
      .max(16)
      .default([]),
  })
  .strict();

/**
 * A self-hosted server's own introspection (vLLM's model list and `/metrics`, TGI's `/info` and
 * `/metrics`), polled by the gateway: the model it actually serves is checked against the pin, its
 * context limit against the route's caps, and its queue is exported as gauges.
 */
export const introspectSettingsSchema = z
  .object({
    intervalMs: z.number().int().min(1_000).max(3_600_000).default(30_000),
    /** Per probe request; a probe that takes longer counts as unreachable. */
    timeoutMs: z.number().int().positive().max(60_000).default(5_000),
    /**
     * Refuse the route's traffic (GH_ERR_UPSTREAM_MODEL_UNVERIFIED) until the server has been seen
     * serving the pinned model, and as soon as it is seen serving another. Closed by default.
     */
    verifyModel: z.boolean().default(true),
    /** TGI only: the pinned model revision (`model_sha` of `/info`), checked like the model id. */
    revision: z
      .string()
      .regex(/^[0-9a-f]{7,64}$/, 'expected a git commit sha')
      .optional(),
    /** Scrape the server's Prometheus `/metrics` for its queue and KV-cache gauges. */
    metrics: z.boolean().default(true),
    /** Path of the metrics endpoint on the server's origin. */
    metricsPath: z
      .string()
      .regex(/^\/[A-Za-z0-9/_.-]*$/)
      .default('/metrics'),
  })
  .strict();

/**
 * Managed-endpoint controls the gateway can check (region, quota) and the ones it can only record
 * as the operator's attestation (diagnostic logging, customer-managed keys), reported as such.
 */
export const managedSettingsSchema = z
  .object({
    /** The deployment's region; checked against providers.allowedRegions (data residency). */
    region: z.string().min(1).optional(),
    /** The operator's allocated provider quota for this deployment. */
    quota: z
      .object({
        tokensPerMinute: z.number().int().positive().optional(),
        requestsPerMinute: z.number().int().positive().optional(),
        /** Fraction of the quota that raises the "quota approaching limit" alert. */
        alertAt: z.number().gt(0).max(1).default(0.8),
      })
      .strict()
      .optional(),
    /** Attested: the provider's diagnostic logging is on for this deployment (where it goes). */
    diagnosticLogging: z.string().min(1).optional(),
    /** Attested: the provider encrypts with this customer-managed key (key id/ARN; never key material). */
    customerManagedKey: z.string().min(1).optional(),
    /** Attested: the provider's own content filtering is on (the seed's baseline). */
    contentFiltering: z.boolean().optional(),
  })
  .strict();

/** The fleet-wide managed-endpoint policy (top-level `providers` section). */
export const providersSchema = z
  .object({
    /**
     * Hosts of private endpoints (PrivateLink / Private Service Connect / VPC endpoints), as exact
     * names or `*.suffix` wildcards. A managed upstream at tier 2+ whose host matches none is refused.
     */
    privateEndpointHosts: z.array(z.string().regex(/^(\*\.)?[A-Za-z0-9.-]+$/)).default([]),
    /** Regions managed deployments may run in (data residency); empty = not restricted. */
    allowedRegions: z.array(z.string().min(1)).default([]),
  })
  .strict();

export type AzureSettings = z.infer<typeof azureSettingsSchema>;
export type BedrockSettings = z.infer<typeof bedrockSettingsSchema>;
export type VertexSettings = z.infer<typeof vertexSettingsSchema>;
export type AnthropicSettings = z.infer<typeof anthropicSettingsSchema>;
export type IntrospectSettings = z.infer<typeof introspectSettingsSchema>;
export type ManagedSettings = z.infer<typeof managedSettingsSchema>;
export type ProvidersConfig = z.infer<typeof providersSchema>;
