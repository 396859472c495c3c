import { resilienceSchema } from '../config/schema/resilience.js';
import type { Feature } from '../pipeline/feature.js';
import { resilienceAdminRoutes } from './admin.js';
import { killSwitchAllStage, killSwitchStage } from './killswitch/stage.js';
import { resilienceLint } from './lint.js';
import { jobsHandler } from './queue/handler.js';
import { buildResilience } from './service.js';
import { RESILIENCE } from './slots.js';

/**
 * PACE resilience (issue 16, docs/resilience.md): the kill switch (a stage before the limiter), the
 * upstream policy (retries, breakers, backups, degraded answers) the call stage runs through, the
 * PACE state machine behind `paceViewKey`/`degradationKey`, and the durable contingency queue.
 */
export const resilienceFeature: Feature = {
  name: 'resilience',
  config: { key: 'resilience', schema: resilienceSchema },
  lint: [resilienceLint],
  service: buildResilience,
  stages: [killSwitchAllStage, killSwitchStage],
  handlers: [jobsHandler],
  adminRoutes: resilienceAdminRoutes,
  healthRoutes: [
    {
      // The kill switch and each route's PACE state: an operator sees maintenance without the data plane.
      path: '/health',
      create: (rt) => {
        const r = RESILIENCE.get(rt);
        return r === undefined ? null : () => ({ status: 'ok', ...r.health() });
      },
    },
  ],
};
