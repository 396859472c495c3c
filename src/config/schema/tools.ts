import { z } from 'zod';
import { secretRef } from './core.js';

/**
 * The tool gateway (issue 19, docs/tools.md): the upstream MCP servers Gatehouse aggregates behind
 * its `/mcp` endpoint and every control declared per server and per tool. Closed by default: a tool
 * nobody listed in `access` is invisible, a tool without `access: read` is a write tool.
 */

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'letters, digits, _ and -');
const ms = z.number().int().positive();
const tier = z.union([z.literal(1), z.literal(2), z.literal(3)]);

const transportSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('http'), url: z.url() }).strict(),
  /**
   * Plain HTTP/JSON tools: no MCP server, each tool is one HTTP operation under `baseUrl` declared
   * in its `http` block (method, path template, JSON schema of the arguments).
   */
  z.object({ kind: z.literal('rest'), baseUrl: z.url() }).strict(),
  z
    .object({
      kind: z.literal('stdio'),
      command: z.string().min(1),
      args: z.array(z.string()).default([]),
      /** Environment of the child; values may be secret references. Nothing else is inherited but PATH/HOME. */
      env: z.record(z.string(), z.string()).default({}),
      cwd: z.string().min(1).optional(),
      /** Restarts after a crash, with backoff, before the server is declared down. */
      maxRestarts: z.number().int().min(0).max(100).default(5),
    })
    .strict(),
]);

const credentialsSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }).strict(),
  z
    .object({
      kind: z.literal('static'),
      header: z.string().min(1).default('authorization'),
      /** Prefixed to the secret, e.g. `Bearer `. */
      prefix: z.string().default('Bearer '),
      value: secretRef,
    })
    .strict(),
  z
    .object({
      kind: z.literal('client_credentials'),
      tokenUrl: z.url(),
      clientId: z.string().min(1),
      clientSecret: secretRef,
      scope: z.string().min(1).optional(),
      audience: z.string().min(1).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('token_exchange'),
      tokenUrl: z.url(),
      clientId: z.string().min(1),
      clientSecret: secretRef,
      /** The gateway's own token presented as RFC 8693 subject_token (never the agent's). */
      subjectToken: secretRef,
      subjectTokenType: z.string().default('urn:ietf:params:oauth:token-type:access_token'),
      audience: z.string().min(1),
      scope: z.string().min(1).optional(),
    })
    .strict(),
]);

/** Operator constraints on one argument, on top of the tool's own JSON schema. */
export const argConstraintSchema = z
  .object({
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    enum: z
      .array(z.union([z.string(), z.number(), z.boolean()]))
      .min(1)
      .optional(),
    /** An RE2 pattern (linear time) the whole string must match. */
    pattern: z.string().min(1).max(512).optional(),
    maxLength: z.number().int().min(0).optional(),
    /** Paths inside the string must resolve under one of these roots (no `..` escape). */
    allowedRoots: z.array(z.string().startsWith('/')).min(1).optional(),
    /** URLs inside the string must name one of these hosts (exact, or `*.example.com`). */
    allowedHosts: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();

/**
 * Where the gateway's own outbound calls to an HTTP upstream (MCP over HTTP or a plain HTTP tool) go:
 * through the egress proxy (`gatehouse egress`, docs/egress.md) under this proxy identity, so the
 * proxy's allowlist and SSRF checks apply to tool traffic too.
 */
const egressSchema = z
  .object({
    proxy: z.url(),
    identity: z.string().min(1),
    /** The identity's proxy credential (secret reference). */
    credential: secretRef,
  })
  .strict();

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** One plain HTTP/JSON tool: the HTTP operation behind it (servers with `transport.kind: rest`). */
const httpToolSchema = z
  .object({
    method: z.enum(HTTP_METHODS),
    /**
     * Appended to the server's `baseUrl`; `{arg}` is replaced by that argument, URL-encoded as one
     * path segment (a value can never add a segment, a query or another host).
     */
    path: z.string().startsWith('/').max(2_048),
    /** Arguments sent as query parameters (GET and DELETE send every argument not in the path). */
    query: z.array(z.string().min(1)).default([]),
    /** Static request headers (e.g. an API version); credentials come from `credentials`. */
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string()).default({}),
    description: z.string().max(4_096).default(''),
    /** JSON schema (2020-12) of the arguments: the object agents fill in, checked like an MCP tool's. */
    inputSchema: z.record(z.string(), z.unknown()),
  })
  .strict();

/** A rate through the main limiter (src/edge/limits): sliding minute plus a burst. */
const toolRateSchema = z
  .object({
    perMinute: z.number().int().positive(),
    burst: z.number().int().min(0).default(0),
  })
  .strict();

/** Per-tool limits, enforced by the same limiter as model routes (shared store across replicas). */
const toolLimitsSchema = z
  .object({
    /** Calls per minute from one consumer. */
    rate: toolRateSchema.optional(),
    /** Calls of one consumer in flight. */
    concurrency: z.number().int().positive().optional(),
    /** Calls per minute from everyone together. */
    totalRate: toolRateSchema.optional(),
    /** Calls in flight from everyone together. */
    totalConcurrency: z.number().int().positive().optional(),
  })
  .strict();

const detectorAction = z.enum(['allow', 'redact', 'block']);

const outputSchema = z
  .object({
    secrets: detectorAction.default('redact'),
    pii: detectorAction.default('redact'),
    /** Injection in tool output (indirect mode): block the result, or flag it on the audit event. */
    injection: z.enum(['allow', 'flag', 'block']).default('block'),
    injectionThreshold: z.number().min(0).max(1).default(0.5),
    /** Serialised result cap; a larger result is refused, never truncated silently. */
    maxBytes: z.number().int().positive().default(262_144),
    /** Field allowlist over `structuredContent` and JSON text content (dotted paths); unset keeps all. */
    fields: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict();

const toolSchema = z
  .object({
    name,
    /** Operator classification; upstream `readOnlyHint` is untrusted and only reported by lint. */
    access: z.enum(['read', 'write']).default('write'),
    timeoutMs: ms.optional(),
    constraints: z.record(z.string(), argConstraintSchema).default({}),
    output: outputSchema.prefault({}),
    limits: toolLimitsSchema.optional(),
    /** Plain HTTP/JSON tools only (server `transport.kind: rest`): the operation declared here ... */
    http: httpToolSchema.optional(),
    /** ... or one operation of an OpenAPI 3 document (read at boot). */
    openapi: z
      .object({ spec: z.string().min(1), operationId: z.string().min(1) })
      .strict()
      .optional(),
    /** Window within which the same write call (principal + arguments) is the same call. */
    idempotencyWindowMs: ms.default(600_000),
  })
  .strict();

export const toolServerSchema = z
  .object({
    name,
    tier: tier.default(1),
    transport: transportSchema,
    credentials: credentialsSchema.default({ kind: 'none' }),
    egress: egressSchema.optional(),
    timeoutMs: ms.default(30_000),
    /** The tools exposed from this server; a tool the upstream has but this list lacks does not exist. */
    tools: z.array(toolSchema).min(1),
  })
  .strict();

const accessSchema = z
  .object({
    consumer: z.string().min(1),
    /** Narrows the entry to one agent of the consumer; unset applies to every agent. */
    agent: z.string().min(1).optional(),
    /** `server.tool` or `server.*`. */
    tools: z.array(z.string().regex(/^[A-Za-z0-9_-]+\.(\*|[A-Za-z0-9_-]+)$/)).min(1),
  })
  .strict();

export const toolsSchema = z
  .object({
    enabled: z.boolean().default(false),
    servers: z.array(toolServerSchema).default([]),
    access: z.array(accessSchema).default([]),
    /** Signed pin manifest (`gatehouse tools pin` then `sign`); required when a server is tier 2+. */
    manifest: z
      .object({
        path: z.string().min(1),
        /** Ed25519 public key (PEM), as a file path or secret reference. */
        publicKey: secretRef,
      })
      .strict()
      .optional(),
    approvals: z
      .object({
        ttlMs: ms.default(900_000),
        /**
         * The approval page (`<url>/<approval id>`): in the pending error, and sent as a URL-mode
         * elicitation to clients that declare `elicitation.url` (docs/tools.md).
         */
        url: z.url().optional(),
        /**
         * 2025-11-25 clients declare capabilities only at `initialize`, which the stateless `/mcp`
         * never sees again: true sends them the URL-elicitation error (-32042) anyway.
         */
        legacyUrlElicitation: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    /** Injection score at which a tool description is called poisoned (pin time and on change). */
    descriptionThreshold: z.number().min(0).max(1).default(0.5),
    /** How often upstream tool definitions are re-read to detect drift. */
    refreshMs: ms.default(60_000),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const servers = new Set<string>();
    cfg.servers.forEach((s, i) => {
      if (servers.has(s.name))
        ctx.addIssue({
          code: 'custom',
          path: ['servers', i, 'name'],
          message: `duplicate server "${s.name}"`,
        });
      servers.add(s.name);
      const tools = new Set<string>();
      const rest = s.transport.kind === 'rest';
      if (s.egress !== undefined && s.transport.kind === 'stdio')
        ctx.addIssue({
          code: 'custom',
          path: ['servers', i, 'egress'],
          message: 'a stdio server makes no HTTP calls of the gateway: egress applies to http and rest',
        });
      s.tools.forEach((t, j) => {
        const declared = (t.http !== undefined ? 1 : 0) + (t.openapi !== undefined ? 1 : 0);
        if (rest ? declared !== 1 : declared !== 0)
          ctx.addIssue({
            code: 'custom',
            path: ['servers', i, 'tools', j, 'http'],
            message: rest
              ? 'a tool of a rest server needs exactly one of http and openapi'
              : 'http and openapi blocks belong to tools of a rest server only',
          });
        if (tools.has(t.name))
          ctx.addIssue({
            code: 'custom',
            path: ['servers', i, 'tools', j],
            message: `duplicate tool "${t.name}"`,
          });
        tools.add(t.name);
      });
    });
  });

export type ToolsConfig = z.infer<typeof toolsSchema>;
export type ToolServerConfig = z.infer<typeof toolServerSchema>;
export type ToolConfig = z.infer<typeof toolSchema>;
export type HttpToolConfig = z.infer<typeof httpToolSchema>;
export type ToolLimitsConfig = z.infer<typeof toolLimitsSchema>;
export type ArgConstraint = z.infer<typeof argConstraintSchema>;
