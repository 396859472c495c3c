import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Proxies in front of the data plane (the WAF edge of deploy/waf, a load balancer). Only a
 * connection from one of these may say who the client is; from anyone else X-Forwarded-For is
 * ignored, so a client cannot choose the address its failures and blocks are counted against.
 */
const addressOrCidr = z.string().refine(
  (s) => {
    const [addr = '', bits, extra] = s.split('/');
    const v = isIP(addr);
    if (v === 0 || extra !== undefined) return false;
    if (bits === undefined) return true;
    const n = Number(bits);
    return /^\d{1,3}$/.test(bits) && n <= (v === 4 ? 32 : 128);
  },
  { message: 'expected an IP address or a CIDR (10.0.0.0/8, fd00::/8)' },
);

export const proxySchema = z
  .object({
    /** Addresses or CIDRs of the trusted proxies. Empty: the TCP peer is the client. */
    trusted: z.array(addressOrCidr).max(256).default([]),
    /** How many X-Forwarded-For entries are read from the right at most (a bound on a hostile header). */
    maxHops: z.number().int().min(1).max(64).default(16),
    /**
     * `v2`: connections from a trusted proxy must start with a PROXY protocol v2 header (a TCP-mode
     * load balancer, TLS passthrough), which names the client; other peers are read as they are.
     */
    protocol: z.enum(['none', 'v2']).default('none'),
  })
  .strict()
  .refine((p) => p.protocol === 'none' || p.trusted.length > 0, {
    message: 'proxy.protocol v2 needs proxy.trusted: only a trusted proxy may name the client',
    path: ['protocol'],
  });

export type ProxyConfig = z.infer<typeof proxySchema>;
