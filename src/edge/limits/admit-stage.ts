import { LIMIT_DIMENSION_NAMES, type QuotaUsage } from '../../formats/limit-dimension.js';
import type { LimitSignal } from '../../pipeline/audit-signals.js';
import type { RequestContext } from '../../pipeline/context.js';
import type { StageDef } from '../../pipeline/registry.js';
import { internalError } from '../../pipeline/require.js';
import { LimitRefusal } from './limiter.js';
import { LIMITER, POSTURE, RESERVATION } from './slots.js';
import { type Dimension, type Views, WINDOWED } from './types.js';

/** Consumer name for requests on routes an operator left open (no identity). */
export const ANONYMOUS = 'anonymous';

/** The audit event's names for the dimensions: one table for every path (src/formats/limit-dimension.ts). */
const AUDIT_NAME: { readonly [D in Dimension | 'store']: string } = LIMIT_DIMENSION_NAMES;
const WINDOWED_NAMES = WINDOWED.map((d) => AUDIT_NAME[d]);

/** Views are in WINDOWED order, one per windowed dimension. */
function windowedName(i: number): string {
  const name = WINDOWED_NAMES[i];
  if (name === undefined) throw internalError(`limiter view ${i} has no windowed dimension`);
  return name;
}

function quotaUsage(views: Views): QuotaUsage[] {
  return views.map((v, i) => ({
    dimension: windowedName(i),
    used: v.limit - v.remaining,
    limit: v.limit,
  }));
}

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
    const limiter = LIMITER.get(rt);
    if (limiter === undefined) return null;
    const log = rt.logger.child({ component: 'limits', route: route.alias });
    const raise = (ctx: RequestContext, consumer: string, events: readonly LimitSignal[]) => {
      if (events.length === 0) return;
      (ctx.limitEvents ??= []).push(...events);
      for (const e of events) log.warn({ request_id: ctx.requestId, consumer, ...e }, e.type);
    };
    return async (ctx) => {
      const id = ctx.identity;
      const consumer = id?.consumer ?? ANONYMOUS;
      try {
        const ok = await limiter.admit({
          route,
          consumer,
          plan: id?.plan ?? null,
          tier: id !== null && id.tier > route.tier ? id.tier : route.tier,
          inputTokens: ctx.inputTokens,
          maxOutputTokens: ctx.maxOutputTokens,
          requestId: ctx.requestId,
        });
        RESERVATION.set(ctx, ok.reservation);
        Object.assign(ctx.responseHeaders, ok.headers);
        ctx.quotaUsage = quotaUsage(ok.views);
        if (ok.posture !== null) POSTURE.set(ctx, ok.posture);
        raise(ctx, consumer, ok.events);
      } catch (err) {
        if (err instanceof LimitRefusal) {
          ctx.limitDimension = AUDIT_NAME[err.dimension];
          if (err.views !== null) ctx.quotaUsage = quotaUsage(err.views);
          if (err.posture !== null) POSTURE.set(ctx, err.posture);
          raise(ctx, consumer, err.events);
        }
        throw err;
      }
    };
  },
};
