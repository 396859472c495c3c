import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { StageDef } from '../../pipeline/registry.js';
import { RESILIENCE } from '../slots.js';

/**
 * The data plane's side of the kill switch: a request whose route, consumer or every deployment is
 * switched off gets the maintenance answer here, in `validate`, before the limiter reserves
 * anything, before any detector runs and before the upstream is touched. With nothing engaged it
 * costs one Set size check.
 */
export const killSwitchStage: StageDef = {
  name: 'resilience.killswitch',
  phase: 'validate',
  scope: 'route',
  before: ['validate.caps', 'authorize', 'auditBackpressure'],
  create: (rt, route) => {
    const svc = RESILIENCE.get(rt);
    if (svc === undefined) return null;
    const ks = svc.killSwitch;
    const cfg = rt.config.resilience.killSwitch;
    const headers = { 'retry-after': String(cfg.retryAfterS) };
    const opts = cfg.message === undefined ? { headers } : { headers, message: cfg.message };
    const deployments = svc.deploymentsOf(route.alias);
    return (ctx) => {
      // Every request of the route carries its PACE state on the audit event, refused ones included.
      const stamp = svc.stamp(ctx, svc.pace.stateOf(route.alias));
      const consumer = ctx.identity?.consumer ?? null;
      let hit = ks.match(route.alias, consumer, null);
      // A deployment switched off is skipped by the upstream call; only when every deployment of
      // the route is off does the request stop here.
      if (hit === null && ks.engaged().length > 0) {
        let allOff = deployments.length > 0;
        for (const d of deployments) {
          const e = ks.match(null, null, d.name);
          if (e === null) {
            allOff = false;
            break;
          }
          hit = e;
        }
        if (!allOff) hit = null;
      }
      if (hit === null) return;
      stamp.state = 'emergency';
      throw new GatehouseError('GH_ERR_MAINTENANCE', opts);
    };
  },
};

/**
 * Scope `all` before anything else: ahead of authentication (whose revocation checks need the store,
 * which may be the very thing that is down), so every data-plane request gets the maintenance answer.
 */
export const killSwitchAllStage: StageDef = {
  name: 'resilience.killswitch-all',
  phase: 'authenticate',
  scope: 'edge',
  before: ['authenticate'],
  create: (rt) => {
    const svc = RESILIENCE.get(rt);
    if (svc === undefined) return null;
    const ks = svc.killSwitch;
    const cfg = rt.config.resilience.killSwitch;
    const headers = { 'retry-after': String(cfg.retryAfterS) };
    const opts = cfg.message === undefined ? { headers } : { headers, message: cfg.message };
    return () => {
      if (ks.match(null, null, null) !== null) throw new GatehouseError('GH_ERR_MAINTENANCE', opts);
    };
  },
};
