import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import { isToolScope } from '../../formats/tool-scope.js';
import type { AuthMethod, Identity } from '../../identity.js';
import { internalError } from '../../pipeline/require.js';
import { type RevocationList, revocationId } from './revocation.js';
import type { SessionTokens } from './session-tokens.js';

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/);

const mintRequest = z
  .object({
    agent: id,
    session: id.optional(),
    aliases: z.array(z.string().min(1)).min(1).max(256).optional(),
    scopes: z.array(z.string().min(1)).max(256).optional(),
    ttl_seconds: z.number().int().positive().optional(),
  })
  .strict();

const revokeRequest = z
  .object({ agent: id.optional(), session: id.optional() })
  .strict()
  .refine((r) => (r.agent === undefined) !== (r.session === undefined), {
    message: 'exactly one of agent or session',
  });

export interface SessionGrant {
  readonly token: string;
  readonly token_type: 'Bearer';
  readonly expires_at: number;
  readonly expires_in: number;
  readonly consumer: string;
  readonly agent: string;
  readonly session: string;
  readonly aliases: readonly string[] | '*';
  readonly scopes: readonly string[];
}

export interface SessionIssuer {
  /** Mint a token for one agent and one session, never wider than the caller's own identity. */
  mint(identity: Identity, root: AuthMethod, body: unknown): Promise<SessionGrant>;
  /** A consumer revokes one of its own sessions or agents (every replica within about a second). */
  revoke(
    identity: Identity,
    body: unknown,
  ): Promise<{ readonly revoked: 'agent' | 'session'; readonly id: string }>;
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (!r.success) {
    const first = r.error.issues[0];
    throw new GatehouseError('GH_ERR_SCHEMA', {
      message: `Request body does not match the schema at ${first?.path.join('.') || '(root)'}: ${first?.message ?? 'invalid'}.`,
    });
  }
  return r.data;
}

export function createSessionIssuer(opts: {
  readonly tokens: SessionTokens;
  readonly revocations: RevocationList;
  readonly defaultTtlSec: number;
  readonly maxTtlSec: number;
  readonly now?: () => number;
}): SessionIssuer {
  const now = opts.now ?? Date.now;
  // Revocations outlive every token they could concern.
  const revocationTtlMs = (opts.maxTtlSec + 60) * 1000;

  return {
    async mint(identity, root, body) {
      // A session token cannot mint further tokens: the chain stays one link long.
      if (identity.method === 'session') throw new GatehouseError('GH_ERR_AUTH_FORBIDDEN_SCOPE');
      const req = parse(mintRequest, body);
      if (req.aliases !== undefined && identity.aliases !== '*') {
        const own = identity.aliases;
        if (req.aliases.some((a) => !own.includes(a)))
          throw new GatehouseError('GH_ERR_AUTH_FORBIDDEN_ALIAS');
      }
      // Tool scopes only narrow: the tools feature bounds them by the consumer's tool allowlist.
      if (req.scopes?.some((s) => !identity.scopes.includes(s) && !isToolScope(s)))
        throw new GatehouseError('GH_ERR_AUTH_FORBIDDEN_SCOPE');
      const ttl = Math.min(req.ttl_seconds ?? opts.defaultTtlSec, opts.maxTtlSec);
      if (await opts.revocations.isRevoked('agent', revocationId(identity.consumer, req.agent)))
        throw new GatehouseError('GH_ERR_AUTH_REVOKED');
      const session = req.session ?? randomUUID();
      if (await opts.revocations.isRevoked('session', revocationId(identity.consumer, session)))
        throw new GatehouseError('GH_ERR_AUTH_REVOKED');
      const aliases = req.aliases ?? identity.aliases;
      const scopes = req.scopes ?? identity.scopes;
      const { token, expiresAt } = await opts.tokens.sign(
        {
          consumer: identity.consumer,
          agent: req.agent,
          session,
          aliases,
          scopes,
          tier: identity.tier,
          root,
        },
        ttl,
      );
      return {
        token,
        token_type: 'Bearer',
        expires_at: expiresAt,
        expires_in: expiresAt - Math.floor(now() / 1000),
        consumer: identity.consumer,
        agent: req.agent,
        session,
        aliases,
        scopes,
      };
    },
    async revoke(identity, body) {
      const req = parse(revokeRequest, body);
      // The schema asks for exactly one of the two.
      const kind = req.agent !== undefined ? 'agent' : 'session';
      const value = req.agent ?? req.session;
      if (value === undefined)
        throw internalError('a revoke request without agent or session passed the schema');
      await opts.revocations.revoke(kind, revocationId(identity.consumer, value), revocationTtlMs);
      return { revoked: kind, id: value };
    },
  };
}
