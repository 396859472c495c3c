import { STAGES } from '../../../src/boot/stages.js';
import { authorizeRouteStage } from '../../../src/edge/auth/authorize-stage.js';
import type { Identity, Tier } from '../../../src/identity.js';
import type { StageDef } from '../../../src/pipeline/registry.js';

/**
 * Test-only authenticate stage: the identity comes from `x-test-consumer`, `x-test-plan` and
 * `x-test-tier` headers. It replaces whatever authenticate stages the gateway has, so these tests
 * exercise the limiter and nothing else decides who the caller is.
 */
export const headerIdentityStage: StageDef = {
  name: 'test.header-identity',
  phase: 'authenticate',
  scope: 'edge',
  create: () => (ctx) => {
    const h = ctx.req.headers;
    const consumer = h['x-test-consumer'];
    if (typeof consumer !== 'string') return;
    const plan = h['x-test-plan'];
    const identity: Identity = {
      consumer,
      agent: null,
      session: null,
      tier: Number(h['x-test-tier'] ?? 1) as Tier,
      method: 'none',
      scopes: [],
      aliases: '*',
      plan: typeof plan === 'string' ? plan : null,
      sourceIp: ctx.sourceIp,
      userAgent: ctx.userAgent,
    };
    ctx.identity = identity;
  },
};

export function stagesWithHeaderIdentity(): readonly StageDef[] {
  // Replaces authentication (and its per-route tier check) with an identity taken from a test header.
  return [
    ...STAGES.filter((s) => s.phase !== 'authenticate' && s !== authorizeRouteStage),
    headerIdentityStage,
  ];
}
