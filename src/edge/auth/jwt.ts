import { decodeJwt, type JWTPayload, jwtVerify } from 'jose';
import type { IssuerConfig } from '../../config/schema/auth.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import { compileClaimMap, type MappedClaims } from './claims.js';
import { discoverJwksUri } from './discovery.js';
import { fromJoseError } from './jose-errors.js';
import { createJwksResolver, type JwksResolver } from './jwks.js';
import { createVerifiedCache } from './verified-cache.js';

export interface VerifiedJwt {
  readonly issuer: IssuerConfig;
  readonly payload: JWTPayload;
  readonly claims: MappedClaims;
}

export interface JwtVerifier {
  verify(token: string): Promise<VerifiedJwt>;
  warm(): Promise<void>;
  readonly resolvers: ReadonlyMap<string, JwksResolver>;
}

export interface JwtVerifierOptions {
  readonly now?: () => number;
  /** Verified-token cache (verified-cache.ts); omitted: no cache. */
  readonly cache?: { readonly maxEntries: number; readonly ttlMs: number };
  readonly onError?: (issuer: string, err: unknown) => void;
}

/**
 * OIDC access-token verification. The issuer is chosen by the token's (unverified) `iss` among the
 * configured ones, then everything is checked against that issuer's settings: signature with its
 * JWKS, algorithm allowlist, `iss`, `aud`, `exp`/`nbf` with clock tolerance, optional max age.
 */
export function createJwtVerifier(
  issuers: readonly IssuerConfig[],
  opts: JwtVerifierOptions = {},
): JwtVerifier {
  const now = opts.now ?? Date.now;
  const byIssuer = new Map<
    string,
    { cfg: IssuerConfig; resolver: JwksResolver; map: ReturnType<typeof compileClaimMap> }
  >();
  for (const cfg of issuers) {
    const locate =
      cfg.jwksUri === undefined
        ? () => discoverJwksUri(cfg.issuer, cfg.jwks.timeoutMs)
        : async () => new URL(cfg.jwksUri as string);
    const resolver = createJwksResolver(locate, {
      ...cfg.jwks,
      now,
      onError: (err) => opts.onError?.(cfg.issuer, err),
    });
    byIssuer.set(cfg.issuer, { cfg, resolver, map: compileClaimMap(cfg.claims) });
  }

  const cache = createVerifiedCache<VerifiedJwt>({
    maxEntries: opts.cache?.maxEntries ?? 0,
    ttlMs: opts.cache?.ttlMs ?? 0,
    now,
  });

  return {
    resolvers: new Map([...byIssuer].map(([k, v]) => [k, v.resolver])),
    async warm() {
      await Promise.all([...byIssuer.values()].map((i) => i.resolver.warm()));
    },
    async verify(token) {
      const hit = cache.get(token);
      if (hit !== undefined) return hit;
      let iss: unknown;
      try {
        iss = decodeJwt(token).iss;
      } catch (err) {
        throw new GatehouseError('GH_ERR_AUTH_MALFORMED', { cause: err });
      }
      const entry = typeof iss === 'string' ? byIssuer.get(iss) : undefined;
      if (entry === undefined) throw new GatehouseError('GH_ERR_AUTH_WRONG_ISSUER');
      const { cfg } = entry;
      try {
        const { payload } = await jwtVerify(token, entry.resolver.getKey, {
          issuer: cfg.issuer,
          audience: cfg.audience,
          algorithms: cfg.algorithms,
          clockTolerance: cfg.clockToleranceSec,
          currentDate: new Date(now()),
          requiredClaims: ['exp'],
          ...(cfg.maxTokenAgeSec === undefined ? {} : { maxTokenAge: cfg.maxTokenAgeSec }),
        });
        const verified = { issuer: cfg, payload, claims: entry.map(payload) };
        cache.set(token, verified, ((payload.exp as number) + cfg.clockToleranceSec) * 1000);
        return verified;
      } catch (err) {
        throw fromJoseError(err);
      }
    },
  };
}
