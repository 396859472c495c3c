import { createHash } from 'node:crypto';

/**
 * Remembers tokens whose signature and claims were verified, so a caller reusing its bearer token
 * costs a hash and a map probe instead of an asymmetric verification (RS256/ES256/EdDSA cost
 * 50–150 µs each through WebCrypto). An entry lives until the token expires or `ttlMs`, whichever
 * is first; revocation and consumer checks still run on every request. Keys are SHA-256 digests, so
 * the cache holds no credential.
 */
export interface VerifiedCache<T> {
  get(token: string): T | undefined;
  /** `expiresAtMs`: when the token itself stops being valid (exp plus tolerance). */
  set(token: string, value: T, expiresAtMs: number): void;
}

export function createVerifiedCache<T>(opts: {
  readonly maxEntries: number;
  readonly ttlMs: number;
  readonly now: () => number;
}): VerifiedCache<T> {
  if (opts.maxEntries <= 0) return { get: () => undefined, set: () => {} };
  const map = new Map<string, { value: T; until: number }>();
  const keyOf = (token: string) => createHash('sha256').update(token).digest('base64url');
  return {
    get(token) {
      const k = keyOf(token);
      const e = map.get(k);
      if (e === undefined) return undefined;
      if (opts.now() < e.until) return e.value;
      map.delete(k);
      return undefined;
    },
    set(token, value, expiresAtMs) {
      if (map.size >= opts.maxEntries) map.delete(map.keys().next().value as string);
      map.set(keyOf(token), { value, until: Math.min(expiresAtMs, opts.now() + opts.ttlMs) });
    },
  };
}
