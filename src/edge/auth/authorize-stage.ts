import type { ErrorCode } from '../../errors/catalog.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { Identity, Tier } from '../../identity.js';
import type { RequestContext } from '../../pipeline/context.js';
import type { StageDef } from '../../pipeline/registry.js';
import './stage.js';

interface Rule {
  /** Whether the rule applies to a route of this tier (decided at boot). */
  readonly applies: (tier: Tier) => boolean;
  readonly refuses: (ctx: RequestContext, id: Identity, tier: Tier) => boolean;
  readonly code: ErrorCode;
}

/** The guide's tier rules, enforced per request once the route is known (and linted at boot). */
const RULES: readonly Rule[] = [
  {
    applies: (t) => t > 1,
    refuses: (_c, id, tier) => tier > id.tier,
    code: 'GH_ERR_AUTH_TIER_FORBIDDEN',
  },
  // No API-key-only authentication at tier 2+, also through a session token minted with an API key.
  {
    applies: (t) => t >= 2,
    refuses: (c, id) => (c.authRootMethod ?? id.method) === 'api_key',
    code: 'GH_ERR_AUTH_METHOD_NOT_ALLOWED',
  },
  { applies: (t) => t === 3, refuses: (c) => c.peerCertificate === null, code: 'GH_ERR_AUTH_MTLS_REQUIRED' },
];

/**
 * Route-scoped authorisation: tier clearance and the tier method rules (aliases a consumer may not
 * use are answered 404 by the parse stage, like unknown ones). Runs in `validate` and should be the
 * first route stage there, so nothing is counted or inspected for a refused caller.
 */
export const authorizeRouteStage: StageDef = {
  name: 'authorize',
  phase: 'validate',
  scope: 'route',
  before: ['validate.caps'], // a refused caller's tokens are never counted
  create(_rt, route) {
    const rules = RULES.filter((r) => r.applies(route.tier));
    const { tier } = route;
    return (ctx) => {
      const id = ctx.identity;
      if (id === null) throw new GatehouseError('GH_ERR_AUTH_MISSING');
      for (const r of rules) if (r.refuses(ctx, id, tier)) throw new GatehouseError(r.code);
    };
  },
};
