import type { KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Identity } from '../../identity.js';

/**
 * The identity the upstream receives instead of the consumer's credential: a short-lived compact
 * JWS (EdDSA with the gateway key, or HS256 with a shared secret) in one header. Tokens are cached
 * per identity for half their life, so the hot path signs about once a minute per caller.
 */
export interface DownstreamSigner {
  readonly header: string;
  value(identity: Identity): Promise<string>;
}

export interface DownstreamOptions {
  readonly header: string;
  readonly audience: string;
  readonly issuer: string;
  readonly ttlSec: number;
  readonly key:
    | { readonly alg: 'EdDSA'; readonly key: KeyObject; readonly kid: string }
    | { readonly alg: 'HS256'; readonly key: Uint8Array };
  readonly now?: () => number;
}

const MAX_CACHED = 10_000;

export function createDownstreamSigner(opts: DownstreamOptions): DownstreamSigner {
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { value: string; renewAt: number }>();
  const header =
    opts.key.alg === 'EdDSA'
      ? { alg: 'EdDSA', kid: opts.key.kid, typ: 'gh-identity+jwt' }
      : { alg: 'HS256', typ: 'gh-identity+jwt' };

  return {
    header: opts.header,
    async value(id) {
      const k = `${id.method}\u0000${id.consumer}\u0000${id.agent ?? ''}\u0000${id.session ?? ''}\u0000${id.tier}`;
      const t = now();
      const hit = cache.get(k);
      if (hit !== undefined && t < hit.renewAt) return hit.value;
      const iat = Math.floor(t / 1000);
      const value = await new SignJWT({
        gh_agent: id.agent,
        gh_session: id.session,
        gh_tier: id.tier,
        gh_method: id.method,
      })
        .setProtectedHeader(header)
        .setIssuer(opts.issuer)
        .setAudience(opts.audience)
        .setSubject(id.consumer)
        .setIssuedAt(iat)
        .setExpirationTime(iat + opts.ttlSec)
        .sign(opts.key.key);
      if (cache.size >= MAX_CACHED) cache.clear();
      cache.set(k, { value, renewAt: t + (opts.ttlSec * 1000) / 2 });
      return value;
    },
  };
}
