import type { JWTPayload } from 'jose';
import type { ClaimMap } from '../../config/schema/auth.js';
import type { Tier } from '../../identity.js';

/** What the configured claims say about the caller; null where a claim is unmapped or absent. */
export interface MappedClaims {
  readonly consumer: string | null;
  readonly agent: string | null;
  readonly session: string | null;
  readonly tier: Tier | null;
  readonly aliases: readonly string[] | null;
  readonly scopes: readonly string[] | null;
  readonly plan: string | null;
}

type Read = (payload: JWTPayload) => unknown;

/** Compiles a dotted path (`realm_access.roles`) into a reader once, at boot. */
function reader(path: string | null): Read {
  if (path === null) return () => undefined;
  const parts = path.split('.');
  return (payload) => {
    let v: unknown = payload;
    for (const p of parts) {
      if (v === null || typeof v !== 'object' || !Object.hasOwn(v, p)) return undefined;
      v = (v as Record<string, unknown>)[p];
    }
    return v;
  };
}

const MAX_ID = 256;
const asId = (v: unknown): string | null =>
  (typeof v === 'string' && v.length > 0 && v.length <= MAX_ID) || typeof v === 'number' ? String(v) : null;

/** Arrays of strings, or an OAuth-style space-separated string. */
const asList = (v: unknown): readonly string[] | null => {
  if (typeof v === 'string') return v.split(' ').filter((s) => s.length > 0);
  if (Array.isArray(v)) return v.filter((s): s is string => typeof s === 'string');
  return null;
};

const asTier = (v: unknown): Tier | null => {
  const n = typeof v === 'string' ? Number(v) : v;
  return n === 1 || n === 2 || n === 3 ? n : null;
};

export function compileClaimMap(map: ClaimMap): (payload: JWTPayload) => MappedClaims {
  const r = {
    consumer: reader(map.consumer),
    agent: reader(map.agent),
    session: reader(map.session),
    tier: reader(map.tier),
    aliases: reader(map.aliases),
    scopes: reader(map.scopes),
    plan: reader(map.plan),
  };
  return (p) => ({
    consumer: asId(r.consumer(p)),
    agent: asId(r.agent(p)),
    session: asId(r.session(p)),
    tier: asTier(r.tier(p)),
    aliases: asList(r.aliases(p)),
    scopes: asList(r.scopes(p)),
    plan: asId(r.plan(p)),
  });
}
