import type { ServiceDef } from '../../config/services.js';
import { createLimiter, type Limiter } from './limiter.js';

declare module '../../config/runtime.js' {
  interface Services {
    /** The token-aware limiter (issue 4); absent when `limits.enabled` is false. */
    limiter?: Limiter;
  }
}

/** Builds the limiter once at boot: compiled plans per route, the Lua scripts, the metrics. */
export const limitsService: ServiceDef = {
  name: 'limits',
  build: (rt) => {
    const cfg = rt.config.limits;
    if (!cfg.enabled) {
      rt.logger.warn('limits are disabled: requests, tokens, cost and concurrency are unbounded');
      return;
    }
    const limiter = createLimiter({
      config: cfg,
      routes: rt.routes,
      store: rt.store,
      logger: rt.logger,
      metrics: rt.metrics,
    });
    rt.services.limiter = limiter;
    rt.closers.push(() => limiter.close());
  },
};
