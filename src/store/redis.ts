import { type Command, Redis, type RedisOptions } from 'ioredis';
import { createDeadlines } from './deadline.js';
import type { Store } from './types.js';

export interface RedisStore extends Store {
  readonly kind: 'redis';
  /** The command connection, for feature-specific Lua scripts. */
  redis(): Redis;
  readonly prefix: string;
}

export interface RedisStoreOptions {
  url: string;
  /** Prepended to every key; features wrap their own part in a {hash tag} for Redis Cluster. */
  prefix?: string;
  connectTimeoutMs?: number;
  /**
   * How long a command waits for Redis before failing (the store-down posture decides next),
   * counted in time this process could have read the reply: see deadline.ts.
   */
  commandTimeoutMs?: number;
}

const INCR_WINDOW = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

export function createRedisStore(opts: RedisStoreOptions): RedisStore {
  const prefix = opts.prefix ?? 'gh:';
  const base: RedisOptions = {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: opts.connectTimeoutMs ?? 2_000,
    // Reconnect forever with a capped backoff: recovery must need no restart.
    retryStrategy: (times) => Math.min(50 * times, 1_000),
  };
  const cmd = new Redis(opts.url, base);
  // Not ioredis' commandTimeout (a bare timer that fails commands whose reply waits behind an
  // event-loop stall): our own deadline, counted against the store (deadline.ts). Every command of
  // this connection goes through sendCommand, feature scripts and pipelines included.
  const deadlines = createDeadlines(opts.commandTimeoutMs ?? 1_000);
  const send = cmd.sendCommand.bind(cmd);
  cmd.sendCommand = (command: Command, stream?: Parameters<Redis['sendCommand']>[1]) => {
    const out = send(command, stream);
    if (!command.isResolved) deadlines.track(command);
    return out;
  };
  // Subscriber connections cannot run commands; keep one for every subscription.
  const sub = new Redis(opts.url, { ...base, commandTimeout: undefined, enableOfflineQueue: true });
  const handlers = new Map<string, Set<(m: string) => void>>();
  let up = false;
  cmd.on('ready', () => {
    up = true;
  });
  cmd.on('end', () => {
    up = false;
  });
  cmd.on('close', () => {
    up = false;
  });
  // ioredis emits 'error' on every failed reconnect; the store's health flag carries the signal.
  cmd.on('error', () => {});
  sub.on('error', () => {});
  sub.on('message', (channel: string, message: string) => {
    const hs = handlers.get(channel);
    if (hs) for (const h of hs) h(message);
  });
  cmd.defineCommand('ghIncrWindow', { numberOfKeys: 1, lua: INCR_WINDOW });

  return {
    kind: 'redis',
    prefix,
    redis: () => cmd,
    scripts: { connection: () => cmd, prefix },
    pubsub: { dedicatedConnection: (o) => cmd.duplicate(o), prefix },
    async get(key) {
      return cmd.get(prefix + key);
    },
    async set(key, value, ttlMs) {
      if (ttlMs > 0) await cmd.set(prefix + key, value, 'PX', ttlMs);
      else await cmd.set(prefix + key, value);
    },
    async del(key) {
      await cmd.del(prefix + key);
    },
    async incrWindow(key, windowMs) {
      const r = await (
        cmd as unknown as { ghIncrWindow(k: string, ms: number): Promise<number> }
      ).ghIncrWindow(prefix + key, windowMs);
      return Number(r);
    },
    async publish(channel, message) {
      await cmd.publish(prefix + channel, message);
    },
    async subscribe(channel, handler) {
      const full = prefix + channel;
      let hs = handlers.get(full);
      if (!hs) {
        // Register only once Redis confirmed the subscription: a failed attempt must not leave a
        // channel that later calls believe is subscribed.
        await sub.subscribe(full);
        hs = handlers.get(full) ?? new Set();
        handlers.set(full, hs);
      }
      hs.add(handler);
      return async () => {
        hs.delete(handler);
        if (hs.size === 0) {
          handlers.delete(full);
          await sub.unsubscribe(full).catch(() => {});
        }
      };
    },
    healthy: () => up && cmd.status === 'ready',
    async close() {
      deadlines.stop();
      cmd.disconnect();
      sub.disconnect();
    },
  };
}
