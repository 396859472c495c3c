import type { StageDef } from '../../pipeline/registry.js';

/**
 * Reconciles the reservation with real usage once the request ended, however it ended: upstream
 * `usage`, else tokens counted on the stream (the core sets `ctx.usage` for both). A request that
 * never reached the model is charged its one request and nothing else. Safe without an admission.
 */
export const settleStage: StageDef = {
  name: 'limits.settle',
  phase: 'settle',
  scope: 'completion',
  create: (rt) => {
    const limiter = rt.services.limiter;
    if (limiter === undefined) return null;
    return async (ctx) => {
      const res = ctx.limitReservation;
      if (res === undefined || res.settled) return;
      let input = 0;
      let output = 0;
      if (ctx.usage !== null) {
        input = ctx.usage.inputTokens;
        output = ctx.usage.outputTokens;
      } else if (ctx.upstream !== null) {
        // The model saw the prompt; whatever it streamed before failing is counted here.
        input = ctx.inputTokens;
        output = ctx.streamedText === '' ? 0 : (ctx.route?.countTokens(ctx.streamedText) ?? 0);
      }
      ctx.cost = await limiter.settle(res, input, output);
    };
  },
};
