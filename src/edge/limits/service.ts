import { once } from 'node:events';
import type { Redis } from 'ioredis';
import type { GatehouseConfig } from '../../config/schema/index.js';
import type { ServiceDef } from '../../pipeline/feature.js';
import { KEYED_LIMITER } from '../../pipeline/keyed-limits.js';
import { overlayReader } from '../../pipeline/overrides.js';
import { createLimiter } from './limiter.js';
import { LIMITER } from './slots.js';

/** Builds the limiter once at boot: compiled plans per route, the Lua scripts, the metrics. */
export const limitsService: ServiceDef = {
  name: 'limits',
  build: async (rt) => {
    const cfg = rt.config.limits;
    if (!cfg.enabled) {
      rt.logger.warn('limits are disabled: requests, tokens, cost and concurrency are unbounded');
      return;
    }
    if (rt.store.scripts !== undefined) await firstConnection(rt.store.scripts.connection(), rt.config.store);
    const limiter = createLimiter({
      config: cfg,
      routes: rt.routes,
      store: rt.store,
      logger: rt.logger,
      metrics: rt.metrics,
      overrides: overlayReader(rt),
    });
    LIMITER.set(rt, limiter);
    KEYED_LIMITER.set(rt, limiter.keyed);
    rt.closers.push(() => limiter.close());
  },
};

/**
 * Requests that arrive before the first connection would meet the store-down posture; wait for it
 * (bounded by the connect timeout), so a normal boot raises no outage. A Redis that is down at boot
 * is an outage: the posture applies and the limiter recovers when Redis comes.
 */
async function firstConnection(redis: Redis, cfg: GatehouseConfig['store']): Promise<void> {
  if (redis.status === 'ready') return;
  const ms = cfg.kind === 'redis' ? cfg.connectTimeoutMs : 2_000;
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  try {
    await once(redis, 'ready', { signal: ac.signal });
  } catch {
    // Not reachable yet: the posture decides until it is.
  } finally {
    clearTimeout(timer);
  }
}
