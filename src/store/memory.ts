import { EventEmitter } from 'node:events';
import type { Store } from './types.js';

interface Entry {
  value: string;
  expiresAt: number;
}

/** Single-process store. Expired entries are dropped lazily on read and by a periodic sweep. */
export function createMemoryStore(now: () => number = Date.now): Store {
  const data = new Map<string, Entry>();
  const bus = new EventEmitter();
  bus.setMaxListeners(0);
  const sweep = setInterval(() => {
    const t = now();
    for (const [k, e] of data) if (e.expiresAt <= t) data.delete(k);
  }, 10_000);
  sweep.unref();

  const live = (key: string): Entry | undefined => {
    const e = data.get(key);
    if (e === undefined) return undefined;
    if (e.expiresAt <= now()) {
      data.delete(key);
      return undefined;
    }
    return e;
  };

  return {
    kind: 'memory',
    async get(key) {
      return live(key)?.value ?? null;
    },
    async set(key, value, ttlMs) {
      data.set(key, { value, expiresAt: ttlMs > 0 ? now() + ttlMs : Number.POSITIVE_INFINITY });
    },
    async del(key) {
      data.delete(key);
    },
    async incrWindow(key, windowMs) {
      const e = live(key);
      if (e === undefined) {
        data.set(key, { value: '1', expiresAt: now() + windowMs });
        return 1;
      }
      const n = Number(e.value) + 1;
      e.value = String(n);
      return n;
    },
    async publish(channel, message) {
      bus.emit(channel, message);
    },
    async subscribe(channel, handler) {
      bus.on(channel, handler);
      return async () => {
        bus.off(channel, handler);
      };
    },
    healthy: () => true,
    async close() {
      clearInterval(sweep);
      data.clear();
      bus.removeAllListeners();
    },
  };
}
