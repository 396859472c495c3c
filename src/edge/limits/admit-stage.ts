import type { StageDef } from '../../pipeline/registry.js';
import { LimitRefusal } from './limiter.js';

/** Consumer name for requests on routes an operator left open (no identity). */
export const ANONYMOUS = 'anonymous';

/**
 * Reserves, in one atomic store call, one request, the counted input tokens, the clamped output
 * budget, the estimated cost and a concurrency lease; or refuses with the dimension's 429.
 * Rate-limit headers go on the response either way.
 */
export const admitStage: StageDef = {
  name: 'limits.admit',
  phase: 'admit',
  scope: 'route',
  create: (rt, route) => {
    const limiter = rt.services.limiter;
    if (limiter === undefined) return null;
    const log = rt.logger.child({ component: 'limits', route: route.alias });
    return async (ctx) => {
      const id = ctx.identity;
      const req = {
        route,
        consumer: id?.consumer ?? ANONYMOUS,
        plan: id?.plan ?? null,
        tier: id !== null && id.tier > route.tier ? id.tier : route.tier,
        inputTokens: ctx.inputTokens,
        maxOutputTokens: ctx.maxOutputTokens,
      };
      try {
        const ok = await limiter.admit(req);
        ctx.limitReservation = ok.reservation;
        Object.assign(ctx.responseHeaders, ok.headers);
        if (ok.posture !== null) ctx.limitPosture = ok.posture;
        if (ok.events.length > 0) {
          (ctx.limitEvents ??= []).push(...ok.events);
          for (const e of ok.events)
            log.warn({ request_id: ctx.requestId, consumer: req.consumer, ...e }, e.type);
        }
      } catch (err) {
        if (err instanceof LimitRefusal) {
          if (err.posture !== null) ctx.limitPosture = err.posture;
          if (err.events.length > 0) {
            (ctx.limitEvents ??= []).push(...err.events);
            for (const e of err.events)
              log.warn({ request_id: ctx.requestId, consumer: req.consumer, ...e }, e.type);
          }
        }
        throw err;
      }
    };
  },
};
