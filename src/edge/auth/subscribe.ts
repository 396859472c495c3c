import type { Store } from '../../store/types.js';

/**
 * Subscribes now if the store answers, otherwise keeps retrying in the background: a replica that
 * boots while Redis is still connecting must not lose instant revocations for good (ioredis then
 * resubscribes by itself after reconnects).
 */
export function subscribeWithRetry(
  store: Store,
  channel: string,
  handler: (message: string) => void,
  onError: (err: unknown) => void,
  retryMs = 500,
): { ready: Promise<void>; close(): Promise<void> } {
  let closed = false;
  let unsubscribe: (() => Promise<void>) | null = null;
  let timer: NodeJS.Timeout | null = null;
  // Report the first failure of a streak only: a retry every 500 ms must not flood the log.
  let failing = false;
  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((r) => {
    resolveReady = r;
  });
  const attempt = async (): Promise<void> => {
    if (closed) return;
    try {
      unsubscribe = await store.subscribe(channel, handler);
      resolveReady();
      if (closed) await unsubscribe();
    } catch (err) {
      if (!failing) onError(err);
      failing = true;
      timer = setTimeout(() => void attempt(), retryMs);
      timer.unref();
    }
  };
  void attempt();
  return {
    ready,
    async close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      resolveReady();
      await unsubscribe?.();
    },
  };
}
