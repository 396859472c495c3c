import type { KeyObject } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { AuthMethod, Tier } from '../../identity.js';
import type { Ed25519Keys } from './ed25519.js';
import { fromJoseError } from './jose-errors.js';
import { createVerifiedCache } from './verified-cache.js';

/** The JOSE `typ` that tells a gateway session token from an OIDC token at a glance. */
export const SESSION_TYP = 'gh-session+jwt';

export interface SessionClaims {
  readonly consumer: string;
  readonly agent: string;
  readonly session: string;
  readonly aliases: readonly string[] | '*';
  readonly scopes: readonly string[];
  readonly tier: Tier;
  /** How the consumer authenticated when it asked for the token (tier rules look through sessions). */
  readonly root: AuthMethod;
  readonly expiresAt: number;
}

export interface SessionTokens {
  sign(
    claims: Omit<SessionClaims, 'expiresAt'>,
    ttlSec: number,
  ): Promise<{ token: string; expiresAt: number }>;
  verify(token: string): Promise<SessionClaims>;
}

const ROOTS: ReadonlySet<string> = new Set<AuthMethod>(['api_key', 'jwt', 'mtls']);

/**
 * Session tokens are EdDSA JWTs signed by the gateway's key. Every replica holds the same key (from
 * config), so any replica verifies any token; revocation lives in the store (revocation.ts).
 */
export function createSessionTokens(opts: {
  readonly issuer: string;
  readonly signing: Ed25519Keys;
  readonly verifyKeys: ReadonlyArray<{ readonly publicKey: KeyObject; readonly kid: string }>;
  readonly clockToleranceSec?: number;
  readonly now?: () => number;
  readonly cache?: { readonly maxEntries: number; readonly ttlMs: number };
}): SessionTokens {
  const now = opts.now ?? Date.now;
  const tolerance = opts.clockToleranceSec ?? 5;
  const cache = createVerifiedCache<SessionClaims>({
    maxEntries: opts.cache?.maxEntries ?? 0,
    ttlMs: opts.cache?.ttlMs ?? 0,
    now,
  });
  const keys = new Map<string, KeyObject>([[opts.signing.kid, opts.signing.publicKey]]);
  for (const k of opts.verifyKeys) keys.set(k.kid, k.publicKey);
  const getKey = async (header: { kid?: string }): Promise<KeyObject> => {
    const k = header.kid === undefined ? undefined : keys.get(header.kid);
    if (k === undefined) throw new GatehouseError('GH_ERR_AUTH_INVALID');
    return k;
  };

  return {
    async sign(c, ttlSec) {
      const iat = Math.floor(now() / 1000);
      const exp = iat + ttlSec;
      const token = await new SignJWT({
        gh_agent: c.agent,
        gh_session: c.session,
        gh_aliases: c.aliases,
        gh_scopes: c.scopes,
        gh_tier: c.tier,
        gh_root: c.root,
      })
        .setProtectedHeader({ alg: 'EdDSA', typ: SESSION_TYP, kid: opts.signing.kid })
        .setIssuer(opts.issuer)
        .setAudience(opts.issuer)
        .setSubject(c.consumer)
        .setJti(randomUUID())
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(opts.signing.privateKey);
      return { token, expiresAt: exp };
    },
    async verify(token) {
      const hit = cache.get(token);
      if (hit !== undefined) return hit;
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, getKey, {
          issuer: opts.issuer,
          audience: opts.issuer,
          algorithms: ['EdDSA'],
          typ: SESSION_TYP,
          clockTolerance: tolerance,
          currentDate: new Date(now()),
          requiredClaims: ['exp', 'sub'],
        }));
      } catch (err) {
        throw fromJoseError(err);
      }
      const p = payload as JWTPayload & Record<string, unknown>;
      const aliases = p.gh_aliases;
      const ok =
        typeof p.sub === 'string' &&
        typeof p.gh_agent === 'string' &&
        typeof p.gh_session === 'string' &&
        (aliases === '*' || isStringArray(aliases)) &&
        isStringArray(p.gh_scopes) &&
        (p.gh_tier === 1 || p.gh_tier === 2 || p.gh_tier === 3) &&
        typeof p.gh_root === 'string' &&
        ROOTS.has(p.gh_root);
      // A well-signed token of the wrong shape can only come from a buggy or foreign signer.
      if (!ok) throw new GatehouseError('GH_ERR_AUTH_MALFORMED');
      const claims: SessionClaims = {
        consumer: p.sub as string,
        agent: p.gh_agent as string,
        session: p.gh_session as string,
        aliases: aliases as readonly string[] | '*',
        scopes: p.gh_scopes as string[],
        tier: p.gh_tier as Tier,
        root: p.gh_root as AuthMethod,
        expiresAt: p.exp as number,
      };
      cache.set(token, claims, (claims.expiresAt + tolerance) * 1000);
      return claims;
    },
  };
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}
