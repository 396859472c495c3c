import { canarySchema } from '../config/schema/canary.js';
import type { Feature } from '../pipeline/feature.js';
import { canaryAdminRoutes } from './admin-routes.js';
import { canaryConsolePage } from './console-page.js';
import { canaryRoutesLint } from './lint.js';
import { canaryRecordStage } from './record-stage.js';
import { buildCanaryService, CANARY, startCanaryLoops } from './service.js';
import { canarySplitStage } from './split-stage.js';

/**
 * Canary deployments (issue 18, docs/canary.md): a sticky weighted split between a route's pinned
 * deployment and a canary deployment, continuous gated comparison in the store, automatic rollback
 * on every replica, and staged promotion through the control plane.
 */
export const canaryFeature: Feature = {
  name: 'canary',
  config: { key: 'canary', schema: canarySchema },
  lint: [canaryRoutesLint],
  service: async (rt) => {
    const svc = buildCanaryService(rt);
    if (svc === null) return;
    CANARY.set(rt, svc);
    await startCanaryLoops(rt, svc);
  },
  stages: [canarySplitStage, canaryRecordStage],
  adminRoutes: canaryAdminRoutes,
  adminPages: [canaryConsolePage],
};
