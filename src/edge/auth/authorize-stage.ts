import type { ErrorCode } from '../../errors/catalog.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { Identity, Tier } from '../../identity.js';
import type { RequestContext } from '../../pipeline/context.js';
import type { StageDef } from '../../pipeline/registry.js';
import type { Runtime, RuntimeRoute } from '../../pipeline/runtime.js';
import type { PinnedCertCheck } from './mtls.js';
import { AUTH, AUTH_ROOT_METHOD } from './slots.js';
import './stage.js';

interface Rule {
  /** Whether the rule applies to a route of this tier (decided at boot). */
  readonly applies: (tier: Tier) => boolean;
  readonly refuses: (ctx: RequestContext, id: Identity, tier: Tier, pinned: PinnedCertCheck) => boolean;
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
    refuses: (c, id) => (AUTH_ROOT_METHOD.get(c) ?? id.method) === 'api_key',
    code: 'GH_ERR_AUTH_METHOD_NOT_ALLOWED',
  },
  { applies: (t) => t === 3, refuses: (c) => c.peerCertificate === null, code: 'GH_ERR_AUTH_MTLS_REQUIRED' },
  // mTLS is a requirement at tier 3, not an alternative: a bearer token (OIDC, session) over some
  // certificate from the trusted CA is not enough; it must be a certificate the caller pinned.
  {
    applies: (t) => t === 3,
    refuses: (c, id, _t, pinned) => c.peerCertificate === null || !pinned(c.peerCertificate, id.consumer),
    code: 'GH_ERR_AUTH_CERT_NOT_PINNED',
  },
];

/** Without the auth service nothing is pinned (closed). */
const NOTHING_PINNED: PinnedCertCheck = () => false;

/**
 * The route's tier rules compiled once: the first refusal's code, or null when the authenticated
 * caller may use the route. The authorize stage throws it; `/v1/models` lists only routes that pass.
 */
export function compileRouteAccess(
  rt: Runtime,
  route: Pick<RuntimeRoute, 'tier'>,
): (ctx: RequestContext, id: Identity) => ErrorCode | null {
  const rules = RULES.filter((r) => r.applies(route.tier));
  const { tier } = route;
  const pinned = AUTH.get(rt)?.certPinnedFor ?? NOTHING_PINNED;
  return (ctx, id) => {
    for (const r of rules) if (r.refuses(ctx, id, tier, pinned)) return r.code;
    return null;
  };
}

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
    const access = compileRouteAccess(_rt, route);
    return (ctx) => {
      const id = ctx.identity;
      if (id === null) throw new GatehouseError('GH_ERR_AUTH_MISSING');
      const refused = access(ctx, id);
      if (refused !== null) throw new GatehouseError(refused);
    };
  },
};
