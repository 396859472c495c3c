import { z } from 'zod';
import { secretRef } from './core.js';

/**
 * Authentication and identity (docs/auth.md). Everything is closed by default: without consumers
 * and issuers no request authenticates.
 */

const consumerName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/, 'expected letters, digits and . _ : @ -');
const tier = z.union([z.literal(1), z.literal(2), z.literal(3)]);
/** `'*'` means every alias the gateway serves. */
const aliasList = z.union([z.literal('*'), z.array(z.string().min(1))]);
const sha256Fingerprint = z
  .string()
  .regex(/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/, 'expected a SHA-256 fingerprint AA:BB:... (32 bytes)')
  .transform((s) => s.toUpperCase());

/** JWS algorithms for keys published in a JWKS: asymmetric only, so neither `none` nor HS* can be listed. */
export const JWT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

export const apiKeyEntrySchema = z
  .object({
    /** The key id embedded in the key (public; used for revocation and logs). */
    id: z.string().regex(/^[A-Za-z0-9]{10}$/, 'expected the 10-character key id'),
    /** `sha256:<hex>` of the whole key, or `hmac-sha256:<hex>` when `auth.apiKeys.pepper` is set. Not a secret. */
    hash: z
      .string()
      .regex(/^(sha256|hmac-sha256):[0-9a-f]{64}$/, 'expected sha256:<64 hex> or hmac-sha256:<64 hex>'),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
    revoked: z.boolean().default(false),
    description: z.string().max(200).optional(),
  })
  .strict();

export const consumerMtlsSchema = z
  .object({
    /** Subject common names that identify this consumer. */
    subjects: z.array(z.string().min(1)).default([]),
    /** Subject alternative names as node prints them: `URI:spiffe://...`, `DNS:...`, `email:...`, `IP Address:...`. */
    sans: z
      .array(
        z.string().regex(/^(URI|DNS|email|IP Address):.+$/, 'expected URI:, DNS:, email: or IP Address:'),
      )
      .default([]),
    /** Certificate pinning: when set, the presented certificate's SHA-256 fingerprint must be one of these. */
    fingerprints: z.array(sha256Fingerprint).default([]),
  })
  .strict();

export const consumerSchema = z
  .object({
    name: consumerName,
    /** Highest route tier this consumer may call. */
    tier: tier.default(1),
    /** Aliases this consumer may call (a ceiling: token claims and session tokens can only narrow it). */
    aliases: aliasList.default('*'),
    /** Scope ceiling; unset means scopes come from the credential alone (API keys and mTLS then carry none). */
    scopes: z.array(z.string().min(1)).optional(),
    /** Named limits plan (issue 4). */
    plan: z.string().min(1).nullable().default(null),
    apiKeys: z.array(apiKeyEntrySchema).default([]),
    mtls: consumerMtlsSchema.optional(),
    /** A disabled consumer is refused whatever credential it presents. */
    disabled: z.boolean().default(false),
  })
  .strict();

/** Dotted claim path (`realm_access.roles`), or null when the claim is not mapped. */
const claimPath = z.string().regex(/^[A-Za-z0-9_:/.-]+$/);

export const claimMapSchema = z
  .object({
    consumer: claimPath.default('sub'),
    agent: claimPath.nullable().default(null),
    session: claimPath.nullable().default(null),
    tier: claimPath.nullable().default(null),
    aliases: claimPath.nullable().default(null),
    /** A space-separated string (OAuth `scope`) or an array. */
    scopes: claimPath.nullable().default('scope'),
    plan: claimPath.nullable().default(null),
  })
  .strict();

const isLoopbackHttp = (u: string): boolean => {
  const url = new URL(u);
  return url.protocol === 'https:' || ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
};

export const issuerSchema = z
  .object({
    /** The exact `iss` value; also the base of the discovery document URL. */
    issuer: z.url({ protocol: /^https?$/ }),
    audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    /** Read `jwks_uri` from `<issuer>/.well-known/openid-configuration`; set `jwksUri` to skip discovery. */
    jwksUri: z.url({ protocol: /^https?$/ }).optional(),
    algorithms: z.array(z.enum(JWT_ALGORITHMS)).min(1).default(['RS256', 'PS256', 'ES256', 'EdDSA']),
    clockToleranceSec: z.number().int().min(0).max(300).default(30),
    /** Refuse tokens whose `iat` is older than this (unset: `exp` alone decides). */
    maxTokenAgeSec: z.number().int().positive().optional(),
    /** A token whose consumer is not in `auth.consumers` is refused (and recorded as an unknown consumer). */
    requireRegisteredConsumer: z.boolean().default(true),
    /** Tier for unregistered consumers when `requireRegisteredConsumer` is false and no tier claim is mapped. */
    defaultTier: tier.default(1),
    claims: claimMapSchema.prefault({}),
    jwks: z
      .object({
        timeoutMs: z.number().int().positive().default(2_000),
        /** A token with an unknown `kid` triggers at most one refetch per cooldown. */
        cooldownMs: z.number().int().min(0).default(30_000),
        cacheMaxAgeMs: z.number().int().positive().default(600_000),
        /** How long cached keys keep verifying while the JWKS endpoint is unreachable. */
        maxStaleMs: z.number().int().min(0).default(3_600_000),
        /** After a failed fetch, wait this long before trying again (requests use the cache meanwhile). */
        retryMs: z.number().int().positive().default(5_000),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .refine((i) => isLoopbackHttp(i.issuer) && (i.jwksUri === undefined || isLoopbackHttp(i.jwksUri)), {
    message: 'issuer and jwksUri must use https (plain http only on loopback)',
  });

export const authSchema = z
  .object({
    consumers: z.array(consumerSchema).default([]),
    apiKeys: z
      .object({
        /** Recognisable prefix (secret scanners match `<prefix>[A-Za-z0-9]{48}`). */
        prefix: z
          .string()
          .regex(/^[a-z][a-z0-9]{1,7}_$/)
          .default('ghk_'),
        /** Server pepper: stored hashes become HMAC-SHA-256(pepper, key). A secret reference. */
        pepper: secretRef.optional(),
        /** Also accept the key in `x-api-key` (besides `authorization: Bearer`). */
        acceptXApiKey: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    jwt: z
      .object({
        issuers: z.array(issuerSchema).default([]),
        /**
         * Verified tokens (OIDC and session tokens) are remembered by their SHA-256 for at most
         * `ttlMs` (and never past their `exp`), so a reused bearer token skips the signature check.
         * `maxEntries: 0` disables it. Revocation and consumer checks still run on every request.
         */
        verifiedCache: z
          .object({
            maxEntries: z.number().int().min(0).default(10_000),
            ttlMs: z.number().int().min(0).max(300_000).default(30_000),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    mtls: z
      .object({
        /** Identify requests by their verified client certificate when they carry no bearer credential. */
        enabled: z.boolean().default(true),
        /** Every consumer mapped by certificate must pin fingerprints. */
        requirePinning: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    sessions: z
      .object({
        enabled: z.boolean().default(false),
        /** Ed25519 private key (PKCS#8 PEM), a secret reference. */
        signingKey: secretRef.optional(),
        /** Extra Ed25519 public keys (SPKI PEM) still accepted during a key rotation. */
        verifyKeys: z.array(secretRef).default([]),
        issuer: z.string().min(1).default('gatehouse'),
        defaultTtlSec: z.number().int().positive().default(900),
        maxTtlSec: z.number().int().positive().max(86_400).default(3_600),
      })
      .strict()
      .prefault({})
      .refine((s) => !s.enabled || s.signingKey !== undefined, {
        message: 'sessions.enabled needs sessions.signingKey',
        path: ['signingKey'],
      }),
    downstream: z
      .object({
        /** `eddsa`: compact JWS signed with Ed25519; `hmac`: compact JWS HS256 with a shared secret. */
        mode: z.enum(['eddsa', 'hmac', 'none']).default('eddsa'),
        header: z
          .string()
          .regex(/^[a-z0-9-]+$/)
          .default('x-gatehouse-identity'),
        /** eddsa: Ed25519 PKCS#8 PEM (default: the sessions key, else a key generated at boot); hmac: the secret. */
        signingKey: secretRef.optional(),
        audience: z.string().min(1).default('gatehouse-upstream'),
        ttlSec: z.number().int().positive().max(3_600).default(120),
      })
      .strict()
      .prefault({})
      .refine((d) => d.mode !== 'hmac' || d.signingKey !== undefined, {
        message: 'downstream.mode hmac needs downstream.signingKey',
        path: ['signingKey'],
      }),
    revocation: z
      .object({
        /** A replica that missed a pub/sub message rechecks the store at most this long after its last look. */
        refreshMs: z.number().int().positive().max(60_000).default(1_000),
        /** While the store is unreachable, last known answers are trusted this long, then requests fail closed. */
        staleMs: z.number().int().min(0).default(30_000),
      })
      .strict()
      .prefault({}),
    failures: z
      .object({
        windowMs: z.number().int().positive().default(60_000),
        /** More failures than this from one IP within the window raise an `auth_failure_spike` event. */
        alertThreshold: z.number().int().positive().default(10),
        block: z
          .object({
            enabled: z.boolean().default(false),
            threshold: z.number().int().positive().default(20),
            durationMs: z.number().int().positive().default(300_000),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((a, ctx) => {
    const names = new Set<string>();
    const keyIds = new Set<string>();
    a.consumers.forEach((c, i) => {
      if (names.has(c.name))
        ctx.addIssue({
          code: 'custom',
          path: ['consumers', i, 'name'],
          message: `duplicate consumer "${c.name}"`,
        });
      names.add(c.name);
      c.apiKeys.forEach((k, j) => {
        if (keyIds.has(k.id))
          ctx.addIssue({
            code: 'custom',
            path: ['consumers', i, 'apiKeys', j, 'id'],
            message: `duplicate key id "${k.id}"`,
          });
        keyIds.add(k.id);
      });
    });
    const issuers = new Set<string>();
    a.jwt.issuers.forEach((iss, i) => {
      if (issuers.has(iss.issuer))
        ctx.addIssue({ code: 'custom', path: ['jwt', 'issuers', i, 'issuer'], message: 'duplicate issuer' });
      issuers.add(iss.issuer);
    });
  });

export type AuthConfig = z.infer<typeof authSchema>;
export type ConsumerConfig = z.infer<typeof consumerSchema>;
export type IssuerConfig = z.infer<typeof issuerSchema>;
export type ClaimMap = z.infer<typeof claimMapSchema>;
export type ApiKeyEntry = z.infer<typeof apiKeyEntrySchema>;
