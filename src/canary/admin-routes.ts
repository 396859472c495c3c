import { GatehouseError } from '../errors/gatehouse-error.js';
import type { AdminRequest, AdminRouteDef } from '../pipeline/admin.js';
import type { Runtime } from '../pipeline/runtime.js';
import { CANARY, type CanaryService, nextStageWeight } from './service.js';

/**
 * The canary's operator actions, mounted by the admin listener (issue 15), which checks the role,
 * applies the two-person rule to the action kinds listed in `admin.twoPerson` (canary.promote by
 * default: proposed by one approver, applied when another approves) and audits each call.
 */
const svcOf = (rt: Runtime): CanaryService => {
  const svc = CANARY.get(rt);
  if (svc === undefined) throw new GatehouseError('GH_ERR_CANARY_UNKNOWN');
  return svc;
};

const routeOf = (req: AdminRequest): string => req.params.route ?? '';

export const canaryAdminRoutes: readonly AdminRouteDef[] = [
  {
    method: 'GET',
    path: '/canaries/:route',
    role: 'viewer',
    summary: 'The canary comparison report: each metric side by side with its statistic and verdict',
    create: (rt) => async (req) => ({ body: await svcOf(rt).report(routeOf(req)) }),
  },
  {
    method: 'POST',
    path: '/canaries/:route/promote',
    role: 'approver',
    action: 'canary.promote',
    summary:
      'Advance the canary one stage (the last makes it the pinned baseline); refused unless every gate passes',
    body: { type: 'object', additionalProperties: false, properties: {} },
    // Under the two-person rule the proposal shows the approver the stage it moves to and the
    // comparison report as it stood when proposed (the gates are evaluated again when applied).
    preview: (rt) => async (req) => {
      const svc = svcOf(rt);
      const route = routeOf(req);
      const control = svc.controls.get(route);
      if (control === undefined) throw new GatehouseError('GH_ERR_CANARY_UNKNOWN');
      const before = control.current();
      const report = await svc.report(route);
      return {
        target: `canary:${route}`,
        before,
        after: { weight: nextStageWeight(control.cfg.stages, before), comparison: report.comparison },
      };
    },
    create: (rt) => async (req) => {
      const svc = svcOf(rt);
      const route = routeOf(req);
      const before = svc.controls.get(route)?.current();
      const after = await svc.promote(route, req.operator.id, req.reason);
      const report = await svc.report(route);
      return { body: { state: after, report }, change: { target: `canary:${route}`, before, after } };
    },
  },
  {
    method: 'POST',
    path: '/canaries/:route/rollback',
    role: 'operator',
    action: 'canary.rollback',
    summary: 'Send every consumer back to the baseline (or, after a promotion, to the hot standby)',
    body: { type: 'object', additionalProperties: false, properties: {} },
    create: (rt) => async (req) => {
      const svc = svcOf(rt);
      const route = routeOf(req);
      const before = svc.controls.get(route)?.current();
      const after = await svc.rollback(route, req.operator.id, req.reason);
      return { body: { state: after }, change: { target: `canary:${route}`, before, after } };
    },
  },
  {
    method: 'POST',
    path: '/canaries/:route/weight',
    role: 'approver',
    action: 'canary.weight',
    summary:
      'Set the canary weight (percent, at most canary.maxWeight); restarts a rolled-back canary with fresh counts',
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['weight'],
      properties: { weight: { type: 'number', exclusiveMinimum: 0, maximum: 100 } },
    },
    create: (rt) => async (req) => {
      const svc = svcOf(rt);
      const route = routeOf(req);
      const b = req.body as { weight?: unknown } | null;
      const weight = typeof b?.weight === 'number' ? b.weight : Number.NaN;
      const before = svc.controls.get(route)?.current();
      const after = await svc.setWeight(route, weight, req.operator.id, req.reason);
      return { body: { state: after }, change: { target: `canary:${route}`, before, after } };
    },
  },
];
