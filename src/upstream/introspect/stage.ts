import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { StageDef } from '../../pipeline/registry.js';
import { bodyOf } from '../../pipeline/require.js';
import { BACKENDS } from './service.js';

/**
 * Model version pinning, checked at the server: a vLLM or TGI route with `introspect.verifyModel`
 * sends nothing until its server has been seen serving the model the request is pinned to (after an
 * operator's pin override), and stops as soon as it is seen serving another. Closed: a server never
 * verified is refused, not trusted.
 */
export const verifiedBackendStage: StageDef = {
  name: 'route.verified-backend',
  phase: 'route',
  scope: 'route',
  after: ['route.pin'],
  create: (rt, route) => {
    if (route.config.upstream.introspect?.verifyModel !== true) return null;
    const backends = BACKENDS.require(rt);
    return (ctx) => {
      const model = bodyOf(ctx).model;
      if (typeof model !== 'string' || !backends.serves(route.alias, model))
        throw new GatehouseError('GH_ERR_UPSTREAM_MODEL_UNVERIFIED');
    };
  },
};
