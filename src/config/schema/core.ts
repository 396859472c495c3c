import { z } from 'zod';

/** A secret is referenced, never required inline: `${ENV_VAR}` or `file:/path`. Inline values are linted. */
export const secretRef = z.string().min(1);

const port = z.number().int().min(0).max(65535);
const host = z.string().min(1);

export const tlsSchema = z
  .object({
    cert: z.string().min(1).describe('PEM certificate chain file'),
    key: z.string().min(1).describe('PEM private key file (or secret reference)'),
    minVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
    /** OpenSSL cipher list for TLS 1.2; TLS 1.3 suites are always the strong defaults. */
    ciphers: z
      .string()
      .default(
        'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256',
      ),
    clientCa: z.string().min(1).optional().describe('PEM CA bundle that signs client certificates (mTLS)'),
    clientAuth: z.enum(['none', 'optional', 'required']).default('none'),
  })
  .strict()
  .refine((t) => t.clientAuth === 'none' || t.clientCa !== undefined, {
    message: 'clientAuth optional/required needs clientCa',
    path: ['clientCa'],
  });

export const serverSchema = z
  .object({
    host: host.default('127.0.0.1'),
    port: port.default(8080),
    tls: tlsSchema.optional(),
    /** Plain HTTP must be asked for; without TLS and without this flag the gateway refuses to start. */
    allowPlaintext: z.boolean().default(false),
    /** Plain HTTP on a non-loopback address needs this second, explicit switch. */
    allowPlaintextOnPublicInterface: z.boolean().default(false),
    hsts: z
      .object({
        maxAgeSeconds: z.number().int().min(0).default(63_072_000),
        includeSubDomains: z.boolean().default(true),
        preload: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    maxBodyBytes: z.number().int().positive().default(1_048_576),
    maxJsonDepth: z.number().int().min(2).max(256).default(32),
    /**
     * Slowloris guards: time to receive the request headers (also the longest a connection may stay
     * open without sending a request), then the whole body. Enforced within a quarter of the value
     * (at most 1 s late), not at Node's 30 s connection-check interval.
     */
    headersTimeoutMs: z.number().int().positive().default(10_000),
    bodyTimeoutMs: z.number().int().positive().default(15_000),
    /** TLS only: a handshake (raw TCP, a partial ClientHello) not finished by then is cut. */
    handshakeTimeoutMs: z.number().int().positive().default(10_000),
    /** Idle time allowed between two requests on one keep-alive connection. */
    keepAliveTimeoutMs: z.number().int().positive().default(5_000),
    /** Requests served on one connection before it is closed (0: unlimited). */
    maxRequestsPerSocket: z.number().int().min(0).default(1_000),
    /** Request line plus headers; beyond it the listener answers 431 GH_ERR_HEADERS_TOO_LARGE. */
    maxHeaderBytes: z.number().int().min(1_024).max(1_048_576).default(16_384),
    ...connectionLimits(10_000, 1_024),
    /** On SIGTERM/SIGINT: how long in-flight requests may finish before their connections are cut. */
    drainTimeoutMs: z.number().int().min(0).default(10_000),
  })
  .strict();

/**
 * Open connections allowed on one listener and from one source IP; extras are closed at once and
 * counted. Behind a proxy every connection has the proxy's address: raise the per-IP cap there.
 */
function connectionLimits(total: number, perIp: number) {
  return {
    maxConnections: z.number().int().positive().default(total),
    maxConnectionsPerIp: z.number().int().positive().default(perIp),
  };
}

/** Health and metrics: loopback by default, probes and scrapers only, so small caps. */
export const sideListenerSchema = z
  .object({
    enabled: z.boolean().default(true),
    host: host.default('127.0.0.1'),
    port,
    ...connectionLimits(256, 64),
  })
  .strict();

export const storeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('memory') }).strict(),
  z
    .object({
      kind: z.literal('redis'),
      url: z.string().min(1).describe('redis://host:port/db (may be a secret reference)'),
      prefix: z.string().default('gh:'),
      connectTimeoutMs: z.number().int().positive().default(2_000),
      commandTimeoutMs: z.number().int().positive().default(500),
    })
    .strict(),
]);

export const logSchema = z
  .object({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict();
