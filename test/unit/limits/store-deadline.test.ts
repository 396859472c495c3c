import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../../src/store/redis.js';

/**
 * The store's command deadline is counted against Redis, not against our event loop (issue 10,
 * finding 3): a reply that arrived while the process was blocked is read, not timed out.
 */
const PREFIX = `ghtest:deadline:${process.pid}:`;
const store = createRedisStore({ url: 'redis://127.0.0.1:6379', prefix: PREFIX, commandTimeoutMs: 100 });

beforeAll(async () => {
  if (store.redis().status !== 'ready') await once(store.redis(), 'ready');
});

afterAll(async () => {
  const r = new Redis('redis://127.0.0.1:6379');
  await r.del(`${PREFIX}k`);
  r.disconnect();
  await store.close();
});

/** Blocks the event loop for `ms`, starting in the check phase: the timers phase runs next, before poll. */
function stallFromCheckPhase(ms: number): Promise<void> {
  return new Promise((resolve) =>
    setImmediate(() => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        // A CPU-heavy co-tenant.
      }
      resolve();
    }),
  );
}

describe('store command deadline', () => {
  it('a reply that waited behind a stall of 6 timeouts is a success, not a timeout', async () => {
    await store.redis().ping();
    for (let round = 0; round < 2; round++) {
      const sent = store.redis().incr(`${PREFIX}k`);
      await stallFromCheckPhase(600);
      await expect(sent).resolves.toBe(round + 1);
    }
  });

  it('a command Redis does not answer still times out', async () => {
    // BLPOP with no timeout never answers on an empty list (and blocks only this connection).
    await expect(store.redis().blpop(`${PREFIX}never`, 0)).rejects.toThrow('Command timed out');
  });
});
