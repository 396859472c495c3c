import type { StageDef } from '../../pipeline/registry.js';

declare module '../../pipeline/context.js' {
  interface RequestContext {
    /** Set just before the upstream call: from here on the model may have done work to charge. */
    limitUpstreamCalled?: boolean;
  }
}

/**
 * Marks the moment the request leaves for the model, so settlement can tell "refused before the
 * model" (release everything) from "aborted while the model worked" (charge it). Registered just
 * before the upstream call stage; within a phase, stages keep their list order.
 */
export const markUpstreamStage: StageDef = {
  name: 'limits.mark-upstream',
  phase: 'callUpstream',
  scope: 'route',
  create: (rt) => {
    if (rt.services.limiter === undefined) return null;
    return (ctx) => {
      ctx.limitUpstreamCalled = true;
    };
  },
};
