import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import type { AdminConfig } from '../config/schema/admin.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import { ADMIN_ROLES, type AdminRole } from '../pipeline/admin.js';

type OidcConfig = NonNullable<AdminConfig['oidc']>;

/** The operator IdP's endpoints, from OIDC discovery (fetched once, on first use). */
export interface OidcMetadata {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly authorizationEndpoint: string | null;
  readonly tokenEndpoint: string | null;
}

const allowedUrl = (u: string): boolean => {
  const url = new URL(u);
  return url.protocol === 'https:' || ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
};

export interface OperatorClaims {
  readonly id: string;
  readonly roles: readonly AdminRole[];
  readonly payload: JWTPayload;
}

export interface OidcVerifier {
  metadata(): Promise<OidcMetadata>;
  /** Verifies an operator token (bearer access token or console ID token) and maps its roles. */
  verify(
    token: string,
    opts?: { readonly audience?: string; readonly nonce?: string },
  ): Promise<OperatorClaims>;
}

function claimAt(payload: JWTPayload, path: string): unknown {
  let cur: unknown = payload;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Roles from the configured claim: role names map to themselves, other values through `roleMap`. */
export function rolesFrom(payload: JWTPayload, cfg: Pick<OidcConfig, 'rolesClaim' | 'roleMap'>): AdminRole[] {
  const raw = claimAt(payload, cfg.rolesClaim);
  const values = typeof raw === 'string' ? raw.split(/\s+/) : Array.isArray(raw) ? raw : [];
  const out = new Set<AdminRole>();
  for (const v of values) {
    if (typeof v !== 'string') continue;
    const mapped =
      cfg.roleMap[v] ?? ((ADMIN_ROLES as readonly string[]).includes(v) ? (v as AdminRole) : null);
    if (mapped !== null) out.add(mapped);
  }
  return [...out];
}

export function createOidcVerifier(cfg: OidcConfig): OidcVerifier {
  let meta: Promise<OidcMetadata> | null = null;
  let jwks: ReturnType<typeof createRemoteJWKSet> | null = null;

  const discover = async (): Promise<OidcMetadata> => {
    const url = `${cfg.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const res = await fetch(url, {
      redirect: 'error',
      signal: AbortSignal.timeout(cfg.timeoutMs),
      headers: { accept: 'application/json' },
    });
    if (res.status !== 200) throw new Error(`OIDC discovery answered ${res.status}`);
    const doc = (await res.json()) as Record<string, unknown>;
    if (doc.issuer !== cfg.issuer) throw new Error('OIDC discovery names a different issuer');
    const str = (k: string): string | null => {
      const v = doc[k];
      return typeof v === 'string' && allowedUrl(v) ? v : null;
    };
    const jwksUri = cfg.jwksUri ?? str('jwks_uri');
    if (jwksUri === null) throw new Error('OIDC discovery has no usable jwks_uri');
    return {
      issuer: cfg.issuer,
      jwksUri,
      authorizationEndpoint: str('authorization_endpoint'),
      tokenEndpoint: str('token_endpoint'),
    };
  };
  const metadata = (): Promise<OidcMetadata> => {
    // A failed discovery is retried by the next call rather than cached.
    meta ??= discover().catch((err: unknown) => {
      meta = null;
      throw err;
    });
    return meta;
  };

  return {
    metadata,
    async verify(token, opts = {}) {
      let keys: ReturnType<typeof createRemoteJWKSet>;
      try {
        if (jwks === null)
          jwks = createRemoteJWKSet(new URL(cfg.jwksUri ?? (await metadata()).jwksUri), {
            timeoutDuration: cfg.timeoutMs,
            cooldownDuration: 30_000,
          });
        keys = jwks;
      } catch (err) {
        throw new GatehouseError('GH_ERR_ADMIN_UNAVAILABLE', {
          message: 'The operator identity provider is unreachable.',
          cause: err,
        });
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          issuer: cfg.issuer,
          audience: opts.audience ?? cfg.audience,
          algorithms: cfg.algorithms,
          clockTolerance: cfg.clockToleranceSec,
          requiredClaims: ['exp', 'sub'],
        }));
      } catch (err) {
        throw new GatehouseError('GH_ERR_ADMIN_AUTH_INVALID', { cause: err });
      }
      if (opts.nonce !== undefined && payload.nonce !== opts.nonce)
        throw new GatehouseError('GH_ERR_ADMIN_AUTH_INVALID', { message: 'The login nonce does not match.' });
      const id = claimAt(payload, cfg.operatorClaim);
      if (typeof id !== 'string' || id === '') throw new GatehouseError('GH_ERR_ADMIN_AUTH_INVALID');
      return { id, roles: rolesFrom(payload, cfg), payload };
    },
  };
}
