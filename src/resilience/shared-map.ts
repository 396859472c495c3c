import type { Store } from '../store/types.js';

/**
 * A small map every replica sees the same way (kill-switch entries, PACE overrides, breaker states):
 * a Redis hash written atomically per field (HSET/HDEL: two operators acting at once cannot lose
 * each other's entry), a pub/sub nudge after each write so other replicas re-read within
 * milliseconds, and a polling read every `pollMs` as the fallback when a message is lost (pub/sub
 * is at-most-once) or the subscription is down. A read that fails keeps the last known map: a
 * replica cut off from the store goes on enforcing what it last saw.
 *
 * On the in-memory store (one process) the map is a JSON value under one key.
 */
export interface SharedMap<V> {
  /** The last map read from the store (never blocks, never throws). */
  snapshot(): ReadonlyMap<string, V>;
  put(field: string, value: V): Promise<void>;
  /** True when the field existed. */
  remove(field: string): Promise<boolean>;
  /** Re-reads now; false when the store could not be read (the last known map is kept). */
  refresh(): Promise<boolean>;
  /** Whether the last read reached the store. */
  reachable(): boolean;
  close(): Promise<void>;
}

export interface SharedMapOptions<V> {
  readonly store: Store;
  /** Key and channel name, under the store's prefix (a {hash tag} keeps it on one Cluster slot). */
  readonly name: string;
  readonly pollMs: number;
  /** Parses one stored value; null drops it (a malformed entry never crashes a replica). */
  readonly parse: (raw: unknown) => V | null;
  /** Called after every read that changed the map. */
  readonly onChange?: (next: ReadonlyMap<string, V>, prev: ReadonlyMap<string, V>) => void;
  /** false: no timer, no subscription (the CLI writes once and leaves). */
  readonly watch?: boolean;
}

interface Backend {
  all(): Promise<Record<string, string>>;
  put(field: string, json: string): Promise<void>;
  remove(field: string): Promise<boolean>;
}

function backendOf(store: Store, key: string): Backend {
  const scripts = store.scripts;
  if (scripts !== undefined) {
    const full = scripts.prefix + key;
    return {
      all: () => scripts.connection().hgetall(full),
      put: async (f, json) => {
        await scripts.connection().hset(full, f, json);
      },
      remove: async (f) => (await scripts.connection().hdel(full, f)) > 0,
    };
  }
  const read = async (): Promise<Record<string, string>> => {
    const raw = await store.get(key);
    return raw === null ? {} : (JSON.parse(raw) as Record<string, string>);
  };
  return {
    all: read,
    put: async (f, json) => {
      const m = await read();
      m[f] = json;
      await store.set(key, JSON.stringify(m), 0);
    },
    remove: async (f) => {
      const m = await read();
      if (!(f in m)) return false;
      delete m[f];
      await store.set(key, JSON.stringify(m), 0);
      return true;
    },
  };
}

export function createSharedMap<V>(opts: SharedMapOptions<V>): SharedMap<V> {
  const { store, name, parse } = opts;
  const backend = backendOf(store, name);
  const channel = `${name}:changed`;
  let current: ReadonlyMap<string, V> = new Map();
  let lastRaw = '';
  let ok = false;
  let inflight: Promise<boolean> | null = null;
  let again = false;

  const read = async (): Promise<boolean> => {
    let raw: Record<string, string>;
    try {
      raw = await backend.all();
    } catch {
      ok = false;
      return false;
    }
    ok = true;
    // Same content as last time: nothing to parse or announce (the polling steady state).
    const keys = Object.keys(raw).sort();
    const fingerprint = keys.map((k) => `${k}\u0000${raw[k]}`).join('\u0001');
    if (fingerprint === lastRaw) return true;
    lastRaw = fingerprint;
    const next = new Map<string, V>();
    for (const k of keys) {
      try {
        const v = parse(JSON.parse(raw[k] ?? 'null'));
        if (v !== null) next.set(k, v);
      } catch {
        // A malformed entry is skipped; the others still apply.
      }
    }
    const prev = current;
    current = next;
    opts.onChange?.(next, prev);
    return true;
  };
  // One read at a time; a nudge during a read schedules exactly one more (no lost update, no pile-up).
  const refresh = (): Promise<boolean> => {
    if (inflight !== null) {
      again = true;
      return inflight;
    }
    inflight = read().finally(() => {
      inflight = null;
      if (again) {
        again = false;
        void refresh();
      }
    });
    return inflight;
  };

  let timer: NodeJS.Timeout | null = null;
  let unsubscribe: (() => Promise<void>) | null = null;
  let closed = false;
  if (opts.watch !== false) {
    timer = setInterval(() => void refresh(), opts.pollMs);
    timer.unref();
    // Not awaited: a store that is down at boot must not hold the start; polling covers until it is up.
    store
      .subscribe(channel, () => void refresh())
      .then(
        (u) => {
          if (closed) void u().catch(() => {});
          else unsubscribe = u;
        },
        () => {},
      );
    void refresh();
  }
  const nudge = () => store.publish(channel, '1').catch(() => {});

  return {
    snapshot: () => current,
    async put(field, value) {
      await backend.put(field, JSON.stringify(value));
      await nudge();
      await refresh();
    },
    async remove(field) {
      const existed = await backend.remove(field);
      await nudge();
      await refresh();
      return existed;
    },
    refresh,
    reachable: () => ok,
    async close() {
      closed = true;
      if (timer !== null) clearInterval(timer);
      if (unsubscribe !== null) await unsubscribe().catch(() => {});
    },
  };
}
