/**
 * Output side (phase inspectOutput): on streams a StreamInspector goes onto ctx.streamInspectors
 * (the deliver loop runs every chunk through it); whole answers are inspected here, in place.
 */

import type { StageDef } from '../../pipeline/registry.js';
import { inspectAnswer } from './answer.js';
import { canaryTargets, routeGuard } from './service.js';
import { OUTPUT_GUARD_REQUEST } from './slots.js';
import { createStreamInspector } from './stream-inspector.js';

export const inspectOutputStage: StageDef = {
  name: 'outputGuard.inspect',
  phase: 'inspectOutput',
  scope: 'route',
  create: (rt, route) => {
    if (routeGuard(rt, route) === null && !canaryTargets(rt, route)) return null;
    return (ctx) => {
      const req = OUTPUT_GUARD_REQUEST.get(ctx);
      const up = ctx.upstream;
      if (req === undefined || up === null) return;
      if (up.stream !== null) ctx.streamInspectors.push(createStreamInspector(ctx, req));
      else if (up.json !== null) inspectAnswer(ctx, req, up.json);
    };
  },
};
