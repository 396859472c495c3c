import { GatehouseError } from '../errors/gatehouse-error.js';
import type { StageDef } from '../pipeline/registry.js';
import { TELEMETRY } from './slots.js';

/**
 * The spool's full policy on the request path (`telemetry.spool.onFull`, docs/observability.md):
 * while a remote sink's spool is past its high-water mark, routes that must not run unaudited are
 * refused before any work is done for them. Built per route: tier-1 routes under `byTier` and
 * every route under `drop` get no stage at all.
 */
export const auditBackpressureStage: StageDef = {
  name: 'auditBackpressure',
  phase: 'validate',
  scope: 'route',
  create(rt, route) {
    const svc = TELEMETRY.get(rt);
    const policy = rt.config.telemetry.spool.onFull;
    if (svc === undefined || policy === 'drop' || (policy === 'byTier' && route.tier < 2)) return null;
    if (!svc.channels.some((c) => c.stats().remote)) return null;
    return () => {
      if (svc.backpressure())
        throw new GatehouseError('GH_ERR_AUDIT_BACKPRESSURE', { headers: { 'retry-after': '5' } });
    };
  },
};
