import type { Feature } from '../../pipeline/feature.js';
import { authorizeRouteStage } from './authorize-stage.js';
import { lintAuth } from './lint.js';
import { authServiceDef } from './service.js';
import { authenticateStage } from './stage.js';

/** API keys, OIDC/JWT, mTLS and session tokens → `Identity`; per-route access and tier rules. */
export const authFeature: Feature = {
  name: 'auth',
  lint: [lintAuth],
  service: authServiceDef.build,
  stages: [authenticateStage, authorizeRouteStage],
};
