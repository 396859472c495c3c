import type { Store } from '../../store/types.js';

export interface Subscription {
  /** Resolves once messages are being received (or when closed). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Subscribes to a store channel so that a replica booting while Redis is still connecting does not
 * lose instant revocations for good.
 *
 * On Redis it uses a connection of its own with the offline queue on: SUBSCRIBE waits for the
 * connection instead of failing, and ioredis resubscribes by itself after every reconnect. (The
 * shared store's subscriber refuses commands while connecting and would then remember a channel it
 * never subscribed.) The memory store subscribes directly.
 */
export function subscribeChannel(
  store: Store,
  channel: string,
  handler: (message: string) => void,
  onError: (err: unknown) => void,
): Subscription {
  if (store.pubsub !== undefined) {
    const full = store.pubsub.prefix + channel;
    const conn = store.pubsub.dedicatedConnection({
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      commandTimeout: undefined,
      lazyConnect: false,
    });
    // Report the first failure of a streak only: reconnect attempts must not flood the log.
    let failing = false;
    conn.on('error', (err) => {
      if (!failing) onError(err);
      failing = true;
    });
    conn.on('ready', () => {
      failing = false;
    });
    conn.on('message', (ch: string, message: string) => {
      if (ch === full) handler(message);
    });
    const ready = conn.subscribe(full).then(
      () => {},
      (err: unknown) => onError(err),
    );
    return {
      ready,
      async close() {
        conn.disconnect();
      },
    };
  }
  let unsubscribe: (() => Promise<void>) | null = null;
  const ready = store.subscribe(channel, handler).then(
    (u) => {
      unsubscribe = u;
    },
    (err: unknown) => onError(err),
  );
  return {
    ready,
    async close() {
      await ready;
      await unsubscribe?.();
    },
  };
}
