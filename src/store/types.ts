/**
 * Shared state across replicas. The in-memory store is the embedded default for one process;
 * the Redis store serves many replicas. Feature-specific atomic operations (the limiter's Lua
 * scripts, for instance) live beside their feature and reach Redis through `redis()`.
 */
export type StoreKind = 'memory' | 'redis';

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
  /** True when the backing service answers; the memory store always does. */
  healthy(): boolean;
  close(): Promise<void>;
}
