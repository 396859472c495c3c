import { createLocalJWKSet, createRemoteJWKSet, errors, type RemoteJWKSet } from 'jose';
import { GatehouseError } from '../../errors/gatehouse-error.js';

/** A key resolver for `jwtVerify` (the shape of jose's local JWKS function). */
type LocalSet = ReturnType<typeof createLocalJWKSet>;
export type GetKey = (...args: Parameters<LocalSet>) => ReturnType<LocalSet>;

export interface JwksOptions {
  readonly timeoutMs: number;
  readonly cooldownMs: number;
  readonly cacheMaxAgeMs: number;
  readonly maxStaleMs: number;
  readonly retryMs: number;
  readonly now?: () => number;
  readonly onError?: (err: unknown) => void;
}

export interface JwksResolver {
  readonly getKey: GetKey;
  /** Fetch now (at boot); failures are reported, not thrown: requests retry later. */
  warm(): Promise<void>;
  /** Number of successful JWKS fetches (for tests and the health view). */
  readonly fetches: () => number;
}

/**
 * A remote JWKS that survives its endpoint's outages. jose's `createRemoteJWKSet` fetches (with its
 * timeout and single-flight reload); verification always uses a local set built from the last good
 * document, so that:
 * - a fresh cache answers from memory;
 * - a stale cache (older than `cacheMaxAgeMs`) still answers while one background refresh runs
 *   (no request waits on a slow or dead endpoint), for at most `maxStaleMs`;
 * - an unknown `kid` triggers one synchronous refetch, at most once per `cooldownMs` (key rotation);
 * - with no usable cache, a failed fetch refuses with GH_ERR_AUTH_JWKS_UNAVAILABLE, and later
 *   requests fail fast for `retryMs` instead of each waiting for the timeout.
 */
export function createJwksResolver(locate: () => Promise<URL>, opts: JwksOptions): JwksResolver {
  const now = opts.now ?? Date.now;
  let remote: RemoteJWKSet | null = null;
  let local: GetKey | null = null;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let retryAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<void> | null = null;
  let count = 0;

  const unavailable = (cause?: unknown): GatehouseError =>
    new GatehouseError('GH_ERR_AUTH_JWKS_UNAVAILABLE', {
      cause,
      headers: { 'retry-after': String(Math.max(1, Math.ceil((retryAt - now()) / 1000))) },
    });

  const refresh = (): Promise<void> => {
    pending ??= (async () => {
      remote ??= createRemoteJWKSet(await locate(), {
        timeoutDuration: opts.timeoutMs,
        // This module does its own caching; jose only fetches.
        cooldownDuration: 0,
        cacheMaxAge: opts.cacheMaxAgeMs,
      });
      await remote.reload();
      const doc = remote.jwks();
      if (doc === undefined) throw new Error('JWKS fetch returned no key set');
      local = createLocalJWKSet(doc);
      fetchedAt = now();
      count++;
    })()
      .catch((err: unknown) => {
        retryAt = now() + opts.retryMs;
        opts.onError?.(err);
        throw err;
      })
      .finally(() => {
        pending = null;
      });
    return pending;
  };

  const mustRefresh = async (): Promise<void> => {
    if (now() < retryAt) throw unavailable();
    try {
      await refresh();
    } catch (err) {
      throw unavailable(err);
    }
  };

  const ensure = async (): Promise<GetKey> => {
    const age = now() - fetchedAt;
    if (local !== null && age < opts.cacheMaxAgeMs) return local;
    if (local !== null && age < opts.cacheMaxAgeMs + opts.maxStaleMs) {
      if (now() >= retryAt && pending === null) refresh().catch(() => {});
      return local;
    }
    await mustRefresh();
    return local as unknown as GetKey;
  };

  const getKey: GetKey = async (header, token) => {
    const keys = await ensure();
    try {
      return await keys(header, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey) || now() - fetchedAt < opts.cooldownMs) throw err;
      await mustRefresh();
      return (local as unknown as GetKey)(header, token);
    }
  };

  return {
    getKey,
    async warm() {
      await refresh().catch(() => {});
    },
    fetches: () => count,
  };
}
