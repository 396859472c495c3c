import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { Store } from '../../store/types.js';
import { subscribeChannel } from './subscribe.js';

/**
 * Revocations shared by every replica. A revocation is a store key (with a TTL no shorter than the
 * credential's remaining life) plus a pub/sub message, so that replicas learn it at once. A replica
 * that missed the message (it was disconnected, or started later) re-reads the store key in the
 * background once its answer is older than `refreshMs`, so revocation is visible everywhere within
 * about a second either way, and no request waits on the store for a credential it has seen before.
 */
export type RevocationKind = 'key' | 'session' | 'agent';

export const REVOCATION_CHANNEL = 'auth:revocations';
/** Bounds the per-replica cache; beyond it the oldest answers are dropped and simply re-read. */
const MAX_ENTRIES = 50_000;

interface Message {
  readonly kind: RevocationKind;
  readonly id: string;
  readonly ttlMs: number;
}

interface Entry {
  revoked: boolean;
  checkedAt: number;
  /** When a known revocation lapses (its store key expires). */
  until: number;
}

/** Session and agent ids are scoped by consumer; parts are URI-encoded so no `{`/`}` breaks the hash tag. */
export function revocationId(...parts: readonly string[]): string {
  return parts.map(encodeURIComponent).join('/');
}

export function revocationKey(kind: RevocationKind, id: string): string {
  return `auth:rv:{${kind}:${id}}`;
}

/** Writes a revocation and announces it; usable without a running gateway (CLI, admin API). */
export async function revokeInStore(
  store: Store,
  kind: RevocationKind,
  id: string,
  ttlMs: number,
): Promise<void> {
  await store.set(revocationKey(kind, id), '1', ttlMs);
  const msg: Message = { kind, id, ttlMs };
  await store.publish(REVOCATION_CHANNEL, JSON.stringify(msg));
}

export interface RevocationList {
  /** Throws GH_ERR_AUTH_UNAVAILABLE when the store cannot answer and the last answer is older than `staleMs`. */
  isRevoked(kind: RevocationKind, id: string): Promise<boolean>;
  revoke(kind: RevocationKind, id: string, ttlMs: number): Promise<void>;
  close(): Promise<void>;
}

export interface RevocationOptions {
  readonly refreshMs: number;
  readonly staleMs: number;
  readonly onError?: (err: unknown) => void;
  readonly now?: () => number;
}

export async function createRevocationList(store: Store, opts: RevocationOptions): Promise<RevocationList> {
  const now = opts.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const inflight = new Map<string, Promise<boolean>>();

  const remember = (k: string, e: Entry): void => {
    entries.delete(k);
    entries.set(k, e);
    if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
  };

  const onMessage = (raw: string): void => {
    let m: Message;
    try {
      m = JSON.parse(raw) as Message;
    } catch {
      return;
    }
    if (typeof m.kind !== 'string' || typeof m.id !== 'string') return;
    const t = now();
    remember(revocationKey(m.kind, m.id), {
      revoked: true,
      checkedAt: t,
      until: typeof m.ttlMs === 'number' && m.ttlMs > 0 ? t + m.ttlMs : Number.POSITIVE_INFINITY,
    });
  };
  const subscription = subscribeChannel(store, REVOCATION_CHANNEL, onMessage, (err) => opts.onError?.(err));
  // Wait briefly for the subscription so tests and boot see instant revocation; the refresh
  // interval covers the time until it is in place.
  await Promise.race([subscription.ready, new Promise((r) => setTimeout(r, 500).unref())]);

  const lookup = (k: string, previous: Entry | undefined): Promise<boolean> => {
    const running = inflight.get(k);
    if (running) return running;
    const p = store
      .get(k)
      .then(
        (v) => {
          const t = now();
          remember(k, { revoked: v !== null, checkedAt: t, until: v !== null ? t + opts.refreshMs : 0 });
          return v !== null;
        },
        (err: unknown) => {
          opts.onError?.(err);
          if (previous !== undefined && now() - previous.checkedAt <= opts.staleMs) return previous.revoked;
          throw new GatehouseError('GH_ERR_AUTH_UNAVAILABLE', { cause: err });
        },
      )
      .finally(() => inflight.delete(k));
    inflight.set(k, p);
    return p;
  };

  return {
    async isRevoked(kind, id) {
      const k = revocationKey(kind, id);
      const e = entries.get(k);
      const t = now();
      if (e !== undefined) {
        if (e.revoked && t < e.until) return true;
        if (!e.revoked && t - e.checkedAt < opts.refreshMs) return false;
        // Stale-while-revalidate: the store is re-read in the background and the answer applies from
        // the next request, so no request waits on a store round trip (pub/sub covers the instant case).
        if (!e.revoked && t - e.checkedAt < opts.staleMs) {
          lookup(k, e).catch(() => {});
          return false;
        }
      }
      return lookup(k, e);
    },
    async revoke(kind, id, ttlMs) {
      await revokeInStore(store, kind, id, ttlMs);
      // The publisher hears its own message too, but do not depend on the round trip.
      onMessage(JSON.stringify({ kind, id, ttlMs } satisfies Message));
    },
    async close() {
      await subscription.close();
      entries.clear();
    },
  };
}
