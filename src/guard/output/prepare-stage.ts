/**
 * Input side of the output guard (phase inspectInput): places the per-request canary in the system
 * prompt, indexes the request's system prompt, compiles the requested `response_format` schema (a
 * bad schema is refused before any GPU time is spent) and notes the offered tools.
 */

import { deploymentSlot } from '../../pipeline/canary.js';
import type { StageDef } from '../../pipeline/registry.js';
import { prepareRequest } from './request.js';
import { canaryTargets, routeGuard } from './service.js';
import { OUTPUT_GUARD_REQUEST } from './slots.js';

export const prepareOutputGuardStage: StageDef = {
  name: 'outputGuard.prepare',
  phase: 'inspectInput',
  scope: 'route',
  after: ['guard.input'], // indexes the system prompt as redacted, and its canary is never scanned as input
  create: (rt, route) => {
    const guard = routeGuard(rt, route);
    if (guard === null && !canaryTargets(rt, route)) return null;
    return (ctx) => {
      if (ctx.endpoint !== 'chat' && ctx.endpoint !== 'completions') return;
      // On a canary's side, the canary deployment's output policy and system prompt (docs/canary.md).
      const dep = deploymentSlot.get(ctx);
      const g = dep === undefined ? guard : routeGuard(rt, dep);
      if (g !== null) OUTPUT_GUARD_REQUEST.set(ctx, prepareRequest(ctx, g));
    };
  },
};
