import type { StageDef } from '../../pipeline/registry.js';
import { LIMITER, UPSTREAM_CALLED } from './slots.js';

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
    if (LIMITER.get(rt) === undefined) return null;
    return (ctx) => {
      UPSTREAM_CALLED.set(ctx, true);
    };
  },
};
