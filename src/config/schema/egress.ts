import { z } from 'zod';
import { secretRef, tlsSchema } from './core.js';

const port = z.number().int().min(1).max(65535);

/**
 * A host pattern: an exact name (`api.example.com`) or every subdomain of one (`*.example.com`,
 * which does not match `example.com` itself). IP literals are written as themselves and only
 * match when the identity has `allowIpLiterals`.
 */
const hostPattern = z
  .string()
  .min(1)
  .max(253)
  .regex(/^(\*\.)?[A-Za-z0-9.:_-]+$/, 'a host name, `*.` + a domain, or an IP literal');

const allowRuleSchema = z
  .object({
    host: hostPattern,
    ports: z.array(port).min(1).default([443]),
    /** Plain-HTTP path prefixes (CONNECT tunnels cannot be inspected, so paths apply to `http://` only). */
    paths: z.array(z.string().startsWith('/')).optional(),
  })
  .strict();

const identitySchema = z
  .object({
    /** The proxy user name (Proxy-Authorization: Basic) and the name on audit events. */
    id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
    /** The proxy password, as a secret reference (`${ENV}` or `file:`); never in prompts. */
    credential: secretRef.optional(),
    /** Subject CN of a client certificate that proves this identity (listener with mTLS). */
    mtlsSubject: z.string().min(1).optional(),
    allow: z.array(allowRuleSchema).default([]),
    /** CIDRs this identity may reach although they are in a denied range (an internal model endpoint). */
    allowNetworks: z.array(z.string().min(1)).default([]),
    /** Destinations given as IP literals; refused unless true (hostname allowlists are the norm). */
    allowIpLiterals: z.boolean().default(false),
    limits: z
      .object({
        connectionsPerMinute: z.number().int().positive().default(600),
        bytesPerMinute: z
          .number()
          .int()
          .positive()
          .default(100 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .refine((i) => i.credential !== undefined || i.mtlsSubject !== undefined, {
    message: 'an identity needs a credential or an mtlsSubject',
  });

const probeSchema = z
  .object({
    identity: z.string().min(1),
    /** `host:port` (CONNECT) or an `http://` URL (plain proxying). */
    target: z.string().min(1),
    expect: z.enum(['allow', 'deny']),
  })
  .strict();

export const egressSchema = z
  .object({
    /** Also start the proxy inside `gatehouse start` (it always starts with `gatehouse egress`). */
    enabled: z.boolean().default(false),
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(3128),
    tls: tlsSchema.optional(),
    connectTimeoutMs: z.number().int().positive().default(5_000),
    /** A tunnel with no bytes either way for this long is closed. */
    idleTimeoutMs: z.number().int().positive().default(120_000),
    /** DNS servers (`ip` or `ip:port`) asked instead of the system resolver. */
    dnsServers: z.array(z.string().min(1)).default([]),
    identities: z.array(identitySchema).default([]),
    /** `gatehouse egress test`: destinations tried from each identity, with the expected verdict. */
    probes: z.array(probeSchema).default([]),
  })
  .strict()
  .superRefine((e, ctx) => {
    const ids = new Set<string>();
    e.identities.forEach((i, n) => {
      if (ids.has(i.id))
        ctx.addIssue({
          code: 'custom',
          path: ['identities', n, 'id'],
          message: `duplicate identity "${i.id}"`,
        });
      ids.add(i.id);
    });
    e.probes.forEach((p, n) => {
      if (!ids.has(p.identity))
        ctx.addIssue({
          code: 'custom',
          path: ['probes', n, 'identity'],
          message: `unknown identity "${p.identity}"`,
        });
    });
  });

export type EgressConfig = z.infer<typeof egressSchema>;
export type EgressIdentityConfig = EgressConfig['identities'][number];
