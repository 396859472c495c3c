import type { Logger } from 'pino';
import { EMPTY_OVERRIDES, type OverlayView, type Overrides } from '../pipeline/overrides.js';
import type { Store } from '../store/types.js';
import { createCasDoc } from './cas.js';
import { parseOverrides } from './overrides-schema.js';

/**
 * The store copy of the runtime overrides and this replica's synchronous snapshot of it.
 *
 * One JSON document changed by compare-and-set on its version (cas.ts), then a pub/sub message
 * with the new version: replicas re-read at once. A replica that missed the message (disconnected,
 * subscribing late) polls the version every `pollMs`, so every replica applies a change within a
 * second either way. While the store is unreachable the last snapshot keeps applying.
 */
export const OVERLAY_CHANNEL = 'admin:overrides';
/** The document is small; this bounds what a replica parses on every change. */
export const MAX_OVERLAY_BYTES = 4 * 1024 * 1024;

export interface OverlayChange {
  readonly before: Overrides;
  readonly after: Overrides;
}

export interface OverlayStore extends OverlayView {
  /**
   * Applies `change` to the latest stored document (retried on a concurrent write), after `check`
   * accepts the result (it throws to refuse). Returns the documents before and after.
   */
  update(change: (cur: Overrides) => Overrides, check: (next: Overrides) => void): Promise<OverlayChange>;
  /** Re-reads the store now (tests, boot). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

export interface OverlayOptions {
  readonly store: Store;
  readonly logger: Logger;
  readonly pollMs?: number;
}

export async function createOverlayStore(o: OverlayOptions): Promise<OverlayStore> {
  const { store } = o;
  const log = o.logger.child({ component: 'admin.overlay' });
  const doc = createCasDoc(store, 'ov', parseOverrides, EMPTY_OVERRIDES, MAX_OVERLAY_BYTES);
  let snapshot: Overrides = EMPTY_OVERRIDES;
  let closed = false;
  let failing = false;

  const adopt = (next: Overrides): void => {
    if (next.version > snapshot.version) {
      snapshot = next;
      log.info({ version: next.version }, 'runtime overrides applied');
    }
  };
  const refresh = async (): Promise<void> => {
    try {
      if ((await doc.storedVersion()) > snapshot.version) adopt(await doc.read());
      if (failing) log.warn('admin overlay store reachable again');
      failing = false;
    } catch (err) {
      // Keep the last snapshot: overrides do not vanish because the store blinked.
      if (!failing) log.warn({ err }, 'admin overlay store unavailable: last snapshot applies');
      failing = true;
    }
  };

  let unsubscribe: (() => Promise<void>) | null = null;
  try {
    unsubscribe = await store.subscribe(OVERLAY_CHANNEL, (msg) => {
      if (Number(msg) > snapshot.version) void refresh();
    });
  } catch (err) {
    log.warn({ err }, 'admin overlay: no pub/sub yet, polling only');
  }
  await refresh();
  const poll = setInterval(() => void refresh(), o.pollMs ?? 250);
  poll.unref();

  return {
    current: () => snapshot,
    refresh,
    async update(change, check) {
      const r = await doc.update((cur) => {
        const next = { ...change(cur), version: cur.version + 1, updatedAt: new Date().toISOString() };
        check(next);
        return next;
      });
      adopt(r.after);
      await store.publish(OVERLAY_CHANNEL, String(r.after.version)).catch((err: unknown) => {
        // The others' polling picks it up within pollMs.
        log.warn({ err }, 'admin overlay: publish failed, replicas will poll');
      });
      return r;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(poll);
      await unsubscribe?.().catch(() => {});
    },
  };
}
