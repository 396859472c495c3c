import type { ErrorCode } from '../../errors/catalog.js';
import type { RequestContext } from '../../pipeline/context.js';
import type { StageDef } from '../../pipeline/registry.js';
import { LIMITER, RESERVATION, UPSTREAM_CALLED } from './slots.js';

/** Upstream failures in which the model did no work: nothing to charge but the request. */
const NOTHING_PROCESSED: ReadonlySet<ErrorCode> = new Set([
  'GH_ERR_UPSTREAM_CONNECT_TIMEOUT',
  'GH_ERR_UPSTREAM_UNAVAILABLE',
  'GH_ERR_UPSTREAM_REJECTED',
  'GH_ERR_UPSTREAM_RATE_LIMITED',
  'GH_ERR_UPSTREAM_ERROR',
]);

/**
 * The usage to settle to: the upstream's `usage`, or tokens counted on the stream (the core sets
 * `ctx.usage` for both). Without either: a request that never reached the model, or that the model
 * refused, is charged its one request only; one that was cut while the model worked (client abort,
 * timeout, reset) keeps its prompt and, unless it streamed (then what was streamed counts), its
 * whole output budget, since nobody can tell what was generated. Aborting is no way around a budget.
 */
function usageOf(ctx: RequestContext, reservedOutput: number): [input: number, output: number] {
  if (ctx.usage !== null) return [ctx.usage.inputTokens, ctx.usage.outputTokens];
  if (UPSTREAM_CALLED.get(ctx) !== true) return [0, 0];
  if (ctx.error !== null && NOTHING_PROCESSED.has(ctx.error.code)) return [0, 0];
  if (ctx.stream) {
    const text = ctx.streamedText;
    return [ctx.inputTokens, text === '' ? 0 : (ctx.route?.countTokens(text) ?? 0)];
  }
  return [ctx.inputTokens, reservedOutput];
}

/** Reconciles the reservation once the request ended, however it ended. Safe without an admission. */
export const settleStage: StageDef = {
  name: 'limits.settle',
  phase: 'settle',
  scope: 'completion',
  create: (rt) => {
    const limiter = LIMITER.get(rt);
    if (limiter === undefined) return null;
    return async (ctx) => {
      const res = RESERVATION.get(ctx);
      if (res === undefined || res.settled) return;
      const [input, output] = usageOf(ctx, res.amounts[2]);
      ctx.cost = await limiter.settle(res, input, output);
    };
  },
};
