import { z } from 'zod';
import { PROVIDER_KINDS } from '../../formats/provider.js';
import { secretRef } from './core.js';
import {
  anthropicSettingsSchema,
  azureSettingsSchema,
  bedrockSettingsSchema,
  introspectSettingsSchema,
  managedSettingsSchema,
  vertexSettingsSchema,
} from './provider-settings.js';

// The provider names live in the leaf formats folder (the translator registry is keyed by them).
export { PROVIDER_KINDS };
export const ENDPOINTS = ['chat', 'completions', 'embeddings'] as const;
export const TOKENIZERS = [
  'o200k_base',
  'cl100k_base',
  'p50k_base',
  'r50k_base',
  // Model families with their own vocabularies (src/upstream/tokenizers/).
  'llama3',
  'mistral',
  'anthropic_estimate',
] as const;

const aliasPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * A pin on the upstream's certificate chain, checked on every new connection on top of normal
 * verification: `sha256/<base64>` of a SubjectPublicKeyInfo (survives renewals that keep the key), or
 * the `AA:BB:...` SHA-256 fingerprint of a certificate. Any certificate of the presented chain may match.
 */
const upstreamPin = z
  .string()
  .regex(
    /^(sha256\/[A-Za-z0-9+/]{43}=|([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2})$/,
    'expected sha256/<base64 SPKI hash> or a SHA-256 certificate fingerprint AA:BB:... (32 bytes)',
  );

/** TLS toward the deployment (the Zone-2 hop). Only meaningful on an https:// upstream URL. */
export const upstreamTlsSchema = z
  .object({
    /** PEM CA bundle file; when set it replaces the system roots for this deployment. */
    ca: z.string().min(1).optional(),
    /** PEM client certificate chain (file path or secret reference): mutual TLS. */
    cert: z.string().min(1).optional(),
    /** PEM client key (file path or secret reference). */
    key: secretRef.optional(),
    /** SNI and the name the server certificate must carry (default: the URL's host). */
    serverName: z.string().min(1).optional(),
    pins: z.array(upstreamPin).default([]),
    minVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
  })
  .strict()
  .refine((t) => (t.cert === undefined) === (t.key === undefined), {
    message: 'tls.cert and tls.key go together',
    path: ['key'],
  });

export const upstreamSchema = z
  .object({
    provider: z.enum(PROVIDER_KINDS),
    url: z
      .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
      .describe('base URL, e.g. http://vllm:8000/v1'),
    tls: upstreamTlsSchema.optional(),
    /** Unix socket of a co-located deployment; the URL still gives the scheme, Host header and base path. */
    socketPath: z.string().min(1).optional(),
    /**
     * The operator attests that a loopback or Unix-socket upstream runs inside the gateway's own Zone-2
     * host, so the hop never crosses a network: the tier 2/3 TLS rules then do not apply.
     */
    zone2Colocated: z.boolean().default(false),
    /** The pinned model id sent upstream. Consumers never choose it. */
    model: z.string().min(1),
    apiKey: secretRef.optional(),
    /** Extra static headers for the upstream (values may be secret references). */
    headers: z.record(z.string(), z.string()).default({}),
    connections: z.number().int().positive().max(4096).default(128),
    maxResponseBytes: z
      .number()
      .int()
      .positive()
      .default(8 * 1_048_576),
    /** Provider settings (docs/providers.md): each only on its own provider. */
    azure: azureSettingsSchema.optional(),
    bedrock: bedrockSettingsSchema.optional(),
    vertex: vertexSettingsSchema.optional(),
    anthropic: anthropicSettingsSchema.optional(),
    managed: managedSettingsSchema.optional(),
    /** vLLM / TGI: poll the server's own introspection endpoints (docs/providers.md). */
    introspect: introspectSettingsSchema.optional(),
  })
  .strict()
  .superRefine((u, ctx) => {
    const needs = { 'azure-openai': 'azure', bedrock: 'bedrock', vertex: 'vertex' } as const;
    for (const [kind, key] of Object.entries(needs))
      if (u.provider === kind && u[key] === undefined)
        ctx.addIssue({ code: 'custom', path: [key], message: `provider ${kind} needs upstream.${key}` });
    const own = {
      azure: 'azure-openai',
      bedrock: 'bedrock',
      vertex: 'vertex',
      anthropic: 'anthropic',
    } as const;
    for (const [key, kind] of Object.entries(own))
      if (u[key as keyof typeof own] !== undefined && u.provider !== kind)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `upstream.${key} is only for provider ${kind}`,
        });
    if (u.introspect !== undefined && u.provider !== 'vllm' && u.provider !== 'tgi')
      ctx.addIssue({
        code: 'custom',
        path: ['introspect'],
        message: 'upstream.introspect is only for providers vllm and tgi',
      });
    if (u.introspect?.revision !== undefined && u.provider !== 'tgi')
      ctx.addIssue({
        code: 'custom',
        path: ['introspect', 'revision'],
        message: 'upstream.introspect.revision is only for provider tgi (vLLM does not report one)',
      });
  });

export const capsSchema = z
  .object({
    maxInputTokens: z.number().int().positive().default(8_192),
    maxOutputTokens: z.number().int().positive().default(1_024),
    maxN: z.number().int().positive().max(128).default(1),
    maxMessages: z.number().int().positive().default(256),
    maxBodyBytes: z.number().int().positive().optional(),
  })
  .strict();

export const timeoutsSchema = z
  .object({
    connectMs: z.number().int().positive().default(2_000),
    firstByteMs: z.number().int().positive().default(30_000),
    idleMs: z.number().int().positive().default(15_000),
    totalMs: z.number().int().positive().default(120_000),
  })
  .strict();

export const routeSchema = z
  .object({
    alias: z.string().regex(aliasPattern, 'expected letters, digits and . _ : - (max 128)'),
    tier: z.union([z.literal(1), z.literal(2), z.literal(3)]).default(1),
    endpoints: z.array(z.enum(ENDPOINTS)).min(1).default(['chat', 'completions']),
    upstream: upstreamSchema,
    tokenizer: z.enum(TOKENIZERS).default('o200k_base'),
    caps: capsSchema.prefault({}),
    timeouts: timeoutsSchema.prefault({}),
    /**
     * Request fields this route accepts beyond the field map's defaults (docs/field-map.md): opt-in
     * fields (`image_url`, `store` ...) or extra provider fields (vLLM `guided_json`), which are then
     * forwarded, counted and inspected as JSON. Anything else unknown is refused.
     */
    allowFields: z
      .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'expected a request field name'))
      .max(64)
      .default([]),
  })
  .strict();

export type RouteConfig = z.infer<typeof routeSchema>;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];
export type TokenizerName = (typeof TOKENIZERS)[number];
