import type { JWK } from 'jose';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { AuthConfig } from '../../config/schema/auth.js';
import { resolveSecret } from '../../config/secrets.js';
import type { ServiceDef } from '../../pipeline/feature.js';
import { derived, EMPTY_OVERRIDES, type Overrides, overlayReader } from '../../pipeline/overrides.js';
import type { Runtime } from '../../pipeline/runtime.js';
import type { Store } from '../../store/types.js';
import { createApiKeyVerifier, keyRow, type Row } from './api-keys.js';
import { type AuthRequest, type AuthResult, createAuthenticate } from './authenticator.js';
import { compileConsumers } from './consumers.js';
import { createExtractor } from './credentials.js';
import { createDownstreamSigner, type DownstreamSigner } from './downstream.js';
import { type Ed25519Keys, ephemeralEd25519, loadEd25519, loadEd25519Public } from './ed25519.js';
import { createFailureTracker } from './failures.js';
import { createJwtVerifier } from './jwt.js';
import { createCertMapper, createPinnedCertCheck, type PinnedCertCheck } from './mtls.js';
import { createRevocationList, type RevocationList } from './revocation.js';
import { createSessionIssuer, type SessionIssuer } from './session-issuer.js';
import { createSessionTokens } from './session-tokens.js';
import { AUTH } from './slots.js';

/** Everything authentication needs at request time, built once at boot. */
export interface AuthService {
  authenticate(req: AuthRequest): Promise<AuthResult>;
  /** Null when `auth.sessions.enabled` is false. */
  readonly sessions: SessionIssuer | null;
  readonly revocations: RevocationList;
  /** Null when `auth.downstream.mode` is `none`. */
  readonly downstream: DownstreamSigner | null;
  /** Whether a verified client certificate is one the consumer pinned (tier 3 needs it). */
  readonly certPinnedFor: PinnedCertCheck;
  /** The gateway's public signing keys (sessions, downstream identity) for upstreams to verify with. */
  publicJwks(): { keys: JWK[] };
  /** Fetch every issuer's JWKS once (boot); failures are logged and retried on demand. */
  warm(): Promise<void>;
  close(): Promise<void>;
}

export interface AuthDeps {
  readonly store: Store;
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly now?: () => number;
  /** Operators' runtime overrides (consumer disabled, keys issued at runtime). */
  readonly overrides?: () => Overrides;
}

function counter<T extends string>(registry: Registry, name: string, help: string, label: T): Counter<T> {
  const existing = registry.getSingleMetric(name);
  if (existing !== undefined) return existing as Counter<T>;
  return new Counter({ name, help, labelNames: [label], registers: [registry] });
}

export async function createAuthService(cfg: AuthConfig, deps: AuthDeps): Promise<AuthService> {
  const log = deps.logger.child({ component: 'auth' });
  const now = deps.now ?? Date.now;
  const consumers = compileConsumers(cfg.consumers);
  const pepper = cfg.apiKeys.pepper === undefined ? undefined : resolveSecret(cfg.apiKeys.pepper);

  const sessionKeys: Ed25519Keys | null =
    cfg.sessions.signingKey === undefined
      ? null
      : await loadEd25519(resolveSecret(cfg.sessions.signingKey), 'auth.sessions.signingKey');

  const revocations = await createRevocationList(deps.store, {
    ...cfg.revocation,
    now,
    onError: (err) => log.warn({ err }, 'revocation store unavailable'),
  });
  const failures = createFailureTracker(deps.store, {
    ...cfg.failures,
    now,
    onError: (err) => log.warn({ err }, 'auth failure counter unavailable'),
  });
  const jwt = createJwtVerifier(cfg.jwt.issuers, {
    now,
    cache: cfg.jwt.verifiedCache,
    onError: (issuer, err) => log.warn({ issuer, err }, 'JWKS fetch failed'),
  });

  let sessions: SessionIssuer | null = null;
  let tokens: ReturnType<typeof createSessionTokens> | null = null;
  if (cfg.sessions.enabled && sessionKeys !== null) {
    const verifyKeys = await Promise.all(
      cfg.sessions.verifyKeys.map((k, i) =>
        loadEd25519Public(resolveSecret(k), `auth.sessions.verifyKeys[${i}]`),
      ),
    );
    tokens = createSessionTokens({
      issuer: cfg.sessions.issuer,
      signing: sessionKeys,
      verifyKeys,
      now,
      cache: cfg.jwt.verifiedCache,
    });
    sessions = createSessionIssuer({
      tokens,
      revocations,
      defaultTtlSec: cfg.sessions.defaultTtlSec,
      maxTtlSec: cfg.sessions.maxTtlSec,
      now,
    });
  }

  let downstream: DownstreamSigner | null = null;
  let downstreamKeys: Ed25519Keys | null = null;
  const d = cfg.downstream;
  if (d.mode === 'hmac') {
    // The schema refuses hmac without a key; checked again so a schema change cannot sign with nothing.
    if (d.signingKey === undefined)
      throw new Error('auth.downstream.mode hmac needs auth.downstream.signingKey');
    const secret = new TextEncoder().encode(resolveSecret(d.signingKey));
    downstream = createDownstreamSigner({
      ...d,
      issuer: cfg.sessions.issuer,
      key: { alg: 'HS256', key: secret },
      now,
    });
  } else if (d.mode === 'eddsa') {
    downstreamKeys =
      d.signingKey !== undefined
        ? await loadEd25519(resolveSecret(d.signingKey), 'auth.downstream.signingKey')
        : (sessionKeys ?? (await ephemeralEd25519()));
    if (d.signingKey === undefined && sessionKeys === null)
      log.info(
        'auth.downstream: no signing key configured; using a key generated at boot (upstreams must fetch it from this process)',
      );
    downstream = createDownstreamSigner({
      ...d,
      issuer: cfg.sessions.issuer,
      key: { alg: 'EdDSA', key: downstreamKeys.privateKey, kid: downstreamKeys.kid },
      now,
    });
  }

  const overrides = deps.overrides ?? (() => EMPTY_OVERRIDES);
  const scheme = pepper === undefined ? 'sha256:' : 'hmac-sha256:';
  // Runtime-issued keys by digest, rebuilt only when the overlay changes; a key hashed with the
  // other scheme (the pepper changed since) can never match and is left out.
  const issued = derived(overrides, (ov) => {
    const rows = new Map<string, Row>();
    for (const [name, c] of Object.entries(ov.consumers)) {
      const consumer = consumers.get(name);
      if (consumer === undefined) continue;
      for (const k of c.keys ?? [])
        if (k.hash.startsWith(scheme)) rows.set(k.hash.slice(scheme.length), keyRow(k, consumer));
    }
    return rows;
  });
  const authenticate = createAuthenticate({
    consumers,
    extract: createExtractor({
      apiKeyPrefix: cfg.apiKeys.prefix,
      acceptXApiKey: cfg.apiKeys.acceptXApiKey,
      mtls: cfg.mtls.enabled,
    }),
    verifyApiKey: createApiKeyVerifier(cfg.consumers, consumers, {
      prefix: cfg.apiKeys.prefix,
      pepper,
      now,
      issued,
    }),
    disabledByOperator: (name) => overrides().consumers[name]?.disabled === true,
    jwt,
    sessions: tokens,
    certs: createCertMapper(cfg.consumers, consumers, { requirePinning: cfg.mtls.requirePinning }),
    revocations,
    failures,
    logger: log,
    succeeded: counter(
      deps.metrics,
      'gatehouse_auth_success_total',
      'Authenticated requests by method.',
      'method',
    ),
    now,
  });

  const jwks = [sessionKeys, downstreamKeys].filter((k): k is Ed25519Keys => k !== null);
  return {
    authenticate,
    sessions,
    revocations,
    downstream,
    certPinnedFor: createPinnedCertCheck(cfg.consumers),
    publicJwks: () => ({ keys: [...new Map(jwks.map((k) => [k.kid, k.publicJwk])).values()] }),
    warm: () => jwt.warm(),
    async close() {
      await Promise.all([revocations.close(), failures.close()]);
    },
  };
}

/** The service of the auth feature (feature.ts): one authenticator per process, built from `config.auth`. */
export const authServiceDef: ServiceDef = {
  name: 'auth',
  async build(rt: Runtime) {
    const svc = await createAuthService(rt.config.auth, {
      store: rt.store,
      logger: rt.logger,
      metrics: rt.metrics,
      overrides: overlayReader(rt),
    });
    await svc.warm();
    AUTH.set(rt, svc);
    rt.closers.push(() => svc.close());
  },
};
