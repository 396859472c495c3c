import type { Redis } from 'ioredis';
import type { CanarySide } from '../pipeline/canary.js';
import type { Store } from '../store/types.js';

/**
 * The comparison's counts, in the store so every replica evaluates the same numbers: one hash per
 * route, canary generation and side. Fields: `n` requests, `err` errors, `cost` micro-USD, `t:<b>`
 * output-token buckets, `l:<b>` latency buckets (ms), `c:<b>` cost buckets, `g:<phase>:<detector>`
 * guard block/flag counts, `j:<replica>:e|f` each replica's Judge counts (set, not added: the
 * Judge's view counts per process). On Redis a HINCRBY pipeline per request; in memory a map.
 */
export type Fields = Record<string, number>;

export interface StatsBackend {
  add(route: string, generation: number, side: CanarySide, fields: Fields): Promise<void>;
  put(route: string, generation: number, side: CanarySide, fields: Fields): Promise<void>;
  read(route: string, generation: number, side: CanarySide): Promise<Fields>;
}

/** Counts of one generation outlive it for a week (the report of a rolled-back canary stays readable). */
const TTL_S = 7 * 86_400;

export function createStatsBackend(store: Store): StatsBackend {
  const scripts = store.scripts;
  if (scripts !== undefined) return redisStats(scripts.connection(), scripts.prefix);
  return memoryStats();
}

// The route in a {hash tag}: one route's hashes live on one Redis Cluster slot.
const keyOf = (prefix: string, route: string, generation: number, side: CanarySide) =>
  `${prefix}canary:{${route}}:${generation}:${side}`;

function redisStats(redis: Redis, prefix: string): StatsBackend {
  return {
    async add(route, generation, side, fields) {
      const key = keyOf(prefix, route, generation, side);
      const m = redis.multi();
      for (const [f, v] of Object.entries(fields)) if (v !== 0) m.hincrby(key, f, Math.round(v));
      m.expire(key, TTL_S);
      await m.exec();
    },
    async put(route, generation, side, fields) {
      const key = keyOf(prefix, route, generation, side);
      await redis.multi().hset(key, fields).expire(key, TTL_S).exec();
    },
    async read(route, generation, side) {
      const raw = await redis.hgetall(keyOf(prefix, route, generation, side));
      const out: Fields = {};
      for (const [k, v] of Object.entries(raw)) out[k] = Number(v);
      return out;
    },
  };
}

function memoryStats(): StatsBackend {
  const hashes = new Map<string, Map<string, number>>();
  const hash = (route: string, generation: number, side: CanarySide) => {
    const key = keyOf('', route, generation, side);
    let h = hashes.get(key);
    if (h === undefined) {
      h = new Map();
      hashes.set(key, h);
    }
    return h;
  };
  return {
    async add(route, generation, side, fields) {
      const h = hash(route, generation, side);
      for (const [f, v] of Object.entries(fields)) h.set(f, (h.get(f) ?? 0) + Math.round(v));
    },
    async put(route, generation, side, fields) {
      const h = hash(route, generation, side);
      for (const [f, v] of Object.entries(fields)) h.set(f, v);
    },
    async read(route, generation, side) {
      return Object.fromEntries(hash(route, generation, side));
    },
  };
}
