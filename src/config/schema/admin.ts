import { z } from 'zod';
import { ADMIN_ROLES } from '../../formats/admin-roles.js';
import { secretRef, tlsSchema } from './core.js';

/**
 * The control plane (docs/control-plane.md): its own listener, its own operator credentials. Off
 * by default; when on, it binds loopback unless told otherwise. Consumers' credentials never work
 * there: operators prove who they are with OIDC (roles from a claim), a client certificate mapped
 * to an operator, or (tier 1 only, linted) an admin API key.
 */
const role = z.enum(ADMIN_ROLES);
const operatorId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/);
const sha256Fingerprint = z
  .string()
  .regex(/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/, 'expected a SHA-256 fingerprint AA:BB:... (32 bytes)')
  .transform((s) => s.toUpperCase());
const isLoopbackOrHttps = (u: string): boolean => {
  const url = new URL(u);
  return url.protocol === 'https:' || ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
};

/** Two-person actions by default (seed: model-version change, canary promotion, kill-switch release, tier 3 tool allowlist). */
export const DEFAULT_TWO_PERSON = [
  'route.model.set',
  'canary.promote',
  'killswitch.release',
  'tools.allowlist.set@tier3',
] as const;

export const adminOidcSchema = z
  .object({
    issuer: z.url({ protocol: /^https?$/ }),
    /** The `aud` an operator's bearer token must carry (and the console's OIDC client id unless `clientId` is set). */
    audience: z.string().min(1),
    jwksUri: z.url({ protocol: /^https?$/ }).optional(),
    /** Dotted path of the claim that lists the operator's roles (or groups mapped by `roleMap`). */
    rolesClaim: z
      .string()
      .regex(/^[A-Za-z0-9_:/.-]+$/)
      .default('roles'),
    /** Claim values (e.g. IdP group names) to roles; role names themselves always map to themselves. */
    roleMap: z.record(z.string(), role).default({}),
    /** Claim naming the operator in the audit trail. */
    operatorClaim: z.string().min(1).default('sub'),
    algorithms: z.array(z.string().min(1)).min(1).default(['RS256', 'PS256', 'ES256', 'EdDSA']),
    clockToleranceSec: z.number().int().min(0).max(300).default(30),
    /** Console login (authorization code + PKCE): the client registered with the IdP. */
    clientId: z.string().min(1).optional(),
    clientSecret: secretRef.optional(),
    /** Where the IdP sends the operator back; default: this listener's own URL + /admin/callback. */
    redirectUri: z.url({ protocol: /^https?$/ }).optional(),
    timeoutMs: z.number().int().positive().default(3_000),
  })
  .strict()
  .refine((o) => isLoopbackOrHttps(o.issuer) && (o.jwksUri === undefined || isLoopbackOrHttps(o.jwksUri)), {
    message: 'issuer and jwksUri must use https (plain http only on loopback)',
  });

export const adminKeySchema = z
  .object({
    /** The 10-character id embedded in the key (public). */
    id: z.string().regex(/^[A-Za-z0-9]{10}$/, 'expected the 10-character key id'),
    /** `sha256:<hex>` of the whole key (`gatehouse keys create --prefix gha_` prints it). */
    hash: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<64 hex>'),
    operator: operatorId,
    roles: z.array(role).min(1),
  })
  .strict();

export const adminCertSchema = z
  .object({
    operator: operatorId,
    roles: z.array(role).min(1),
    /** Any of: the certificate's SHA-256 fingerprint, subject CN, or a SAN as node prints it. */
    fingerprints: z.array(sha256Fingerprint).default([]),
    subjects: z.array(z.string().min(1)).default([]),
    sans: z.array(z.string().min(1)).default([]),
  })
  .strict()
  .refine((c) => c.fingerprints.length + c.subjects.length + c.sans.length > 0, {
    message: 'an operator certificate needs a fingerprint, subject or SAN',
  });

export const adminSchema = z
  .object({
    enabled: z.boolean().default(false),
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8090),
    /** TLS and mTLS like the data plane (server.tls). Without it, plain HTTP on loopback only (linted). */
    tls: tlsSchema.optional(),
    oidc: adminOidcSchema.optional(),
    /** Operators identified by their verified client certificate (needs tls.clientCa). */
    certificates: z.array(adminCertSchema).default([]),
    /** Admin API keys (prefix `gha_`): tier 1 deployments only (linted). */
    apiKeys: z.array(adminKeySchema).default([]),
    twoPerson: z
      .object({
        /** Action kinds applied only after a different approver approves; `action@tier3` limits one to tier 3 targets. */
        actions: z.array(z.string().min(1)).default([...DEFAULT_TWO_PERSON]),
        proposalTtlSec: z
          .number()
          .int()
          .min(60)
          .max(7 * 86_400)
          .default(86_400),
      })
      .strict()
      .prefault({}),
    console: z
      .object({
        enabled: z.boolean().default(true),
        /** Idle timeout of a console session (refreshed by each call). */
        sessionTimeoutSec: z.number().int().min(60).max(86_400).default(900),
        /** Absolute lifetime, however active. */
        sessionMaxSec: z
          .number()
          .int()
          .min(300)
          .max(7 * 86_400)
          .default(28_800),
      })
      .strict()
      .prefault({}),
    /**
     * Failed operator logins (a refused credential), counted per source IP and per claimed principal
     * in a fixed window; at the limit the IP or principal is locked for `baseLockSec`, doubled by each
     * further failure in the window, at most `maxLockSec`. Always on (the limits are tunable).
     */
    loginThrottle: z
      .object({
        windowSec: z.number().int().min(60).max(86_400).default(900),
        maxFailuresPerIp: z.number().int().min(1).max(10_000).default(20),
        maxFailuresPerPrincipal: z.number().int().min(1).max(1_000).default(5),
        baseLockSec: z.number().int().min(1).max(3_600).default(60),
        maxLockSec: z.number().int().min(1).max(86_400).default(3_600),
      })
      .strict()
      .refine((t) => t.maxLockSec >= t.baseLockSec, {
        message: 'maxLockSec must be at least baseLockSec',
      })
      .prefault({}),
    /** Bodies of admin calls are small JSON documents. */
    maxBodyBytes: z.number().int().min(1_024).max(1_048_576).default(65_536),
    maxConnections: z.number().int().positive().default(256),
    maxConnectionsPerIp: z.number().int().positive().default(64),
  })
  .strict();

export type AdminConfig = z.infer<typeof adminSchema>;
