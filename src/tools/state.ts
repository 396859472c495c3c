import type { Store } from '../store/types.js';

/**
 * The tool gateway's shared state on top of the store: plain values (store get/set/del), an atomic
 * claim (Redis `SET NX PX`, so two replicas never both win), and small indexes (Redis sets) for the
 * approval list. In one process (memory store) the same operations run on maps: JavaScript runs
 * them without interleaving, which is what atomic means there.
 */
export interface ToolState {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  del(key: string): Promise<void>;
  /** Sets the key only if absent; true when this caller won. */
  claim(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Deletes the key only if it still holds `value` (the winner's release). */
  releaseIf(key: string, value: string): Promise<boolean>;
  addToIndex(index: string, member: string): Promise<void>;
  removeFromIndex(index: string, member: string): Promise<void>;
  members(index: string, max: number): Promise<string[]>;
}

const RELEASE_LUA =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

export function createToolState(store: Store): ToolState {
  const scripts = store.scripts;
  if (scripts !== undefined) {
    // Every key of the tool gateway shares one hash tag: one Redis Cluster slot.
    const k = (key: string) => `${scripts.prefix}{tools}:${key}`;
    const redis = () => scripts.connection();
    return {
      get: (key) => redis().get(k(key)),
      set: async (key, value, ttlMs) => {
        await redis().set(k(key), value, 'PX', Math.max(1, ttlMs));
      },
      del: async (key) => {
        await redis().del(k(key));
      },
      claim: async (key, value, ttlMs) =>
        (await redis().set(k(key), value, 'PX', Math.max(1, ttlMs), 'NX')) === 'OK',
      releaseIf: async (key, value) => (await redis().eval(RELEASE_LUA, 1, k(key), value)) === 1,
      addToIndex: async (index, member) => {
        await redis().sadd(k(index), member);
      },
      removeFromIndex: async (index, member) => {
        await redis().srem(k(index), member);
      },
      members: async (index, max) => (await redis().srandmember(k(index), max)) ?? [],
    };
  }
  const values = new Map<string, { v: string; until: number }>();
  const indexes = new Map<string, Set<string>>();
  const live = (key: string) => {
    const e = values.get(key);
    if (e === undefined) return null;
    if (e.until <= Date.now()) {
      values.delete(key);
      return null;
    }
    return e.v;
  };
  return {
    get: async (key) => live(key),
    set: async (key, v, ttlMs) => {
      values.set(key, { v, until: Date.now() + ttlMs });
    },
    del: async (key) => {
      values.delete(key);
    },
    claim: async (key, v, ttlMs) => {
      if (live(key) !== null) return false;
      values.set(key, { v, until: Date.now() + ttlMs });
      return true;
    },
    releaseIf: async (key, v) => {
      if (live(key) !== v) return false;
      values.delete(key);
      return true;
    },
    addToIndex: async (index, m) => {
      let s = indexes.get(index);
      if (s === undefined) indexes.set(index, (s = new Set()));
      s.add(m);
    },
    removeFromIndex: async (index, m) => {
      indexes.get(index)?.delete(m);
    },
    members: async (index, max) => [...(indexes.get(index) ?? [])].slice(0, max),
  };
}
