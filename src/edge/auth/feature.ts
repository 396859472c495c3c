import { authSchema } from '../../config/schema/auth.js';
import type { Feature } from '../../pipeline/feature.js';
import { authorizeRouteStage } from './authorize-stage.js';
import { AUTH_HANDLERS } from './handlers.js';
import { lintAuth } from './lint.js';
import { authServiceDef } from './service.js';
import { AUTH } from './slots.js';
import { authenticateStage } from './stage.js';

/** API keys, OIDC/JWT, mTLS and session tokens → `Identity`; per-route access and tier rules;
 * the model list (what this caller may call) and session tokens. */
export const authFeature: Feature = {
  name: 'auth',
  config: { key: 'auth', schema: authSchema },
  lint: [lintAuth],
  service: authServiceDef.build,
  stages: [authenticateStage, authorizeRouteStage],
  handlers: AUTH_HANDLERS,
  healthRoutes: [
    {
      // Public keys that verify the signed x-gatehouse-identity header, for upstreams inside Zone 2.
      path: '/.well-known/gatehouse-jwks.json',
      create: (rt) => {
        const auth = AUTH.get(rt);
        return auth === undefined ? null : () => auth.publicJwks();
      },
    },
  ],
};
