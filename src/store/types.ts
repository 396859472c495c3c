import type { Redis, RedisOptions } from 'ioredis';

/**
 * Shared state across replicas. The in-memory store is the embedded default for one process;
 * the Redis store serves many replicas. Feature-specific atomic operations (the limiter's Lua
 * scripts, for instance) live beside their feature and reach Redis through the `scripts`
 * capability. Features ask for a capability (`store.scripts`, `store.pubsub`), never for a kind.
 */
export type StoreKind = 'memory' | 'redis';

/** Capability: a feature's own atomic scripts, shared by every replica (Redis Lua). */
export interface AtomicScripts {
  /** The command connection: define scripts on it (`defineCommand`); it carries the store's deadline. */
  connection(): Redis;
  /** Prepended to every key; a feature wraps its own part in a {hash tag} for Redis Cluster. */
  readonly prefix: string;
}

/** Capability: subscriber connections of a feature's own (e.g. one that queues while connecting). */
export interface PubSub {
  /** A new connection to the same server; the caller owns it (and closes it). */
  dedicatedConnection(options: Partial<RedisOptions>): Redis;
  /** Channel names carry the store's prefix. */
  readonly prefix: string;
}

export interface Store {
  readonly kind: StoreKind;
  get(key: string): Promise<string | null>;
  /** Set with a time to live; ttlMs <= 0 means no expiry. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  del(key: string): Promise<void>;
  /** Increment a counter that expires `windowMs` after its first increment; returns the new value. */
  incrWindow(key: string, windowMs: number): Promise<number>;
  publish(channel: string, message: string): Promise<void>;
  /** Returns an unsubscribe function. Handlers run on every replica, the publisher's included. */
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
  /** Present on stores shared across replicas (Redis); absent in one process. */
  readonly scripts?: AtomicScripts;
  readonly pubsub?: PubSub;
  /** True when the backing service answers; the memory store always does. */
  healthy(): boolean;
  close(): Promise<void>;
}
