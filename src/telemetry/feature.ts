import { telemetrySchema } from '../config/schema/telemetry.js';
import type { Feature } from '../pipeline/feature.js';
import { auditBackpressureStage } from './backpressure-stage.js';
import { recordStage } from './record.js';
import { telemetryService } from './service.js';
import { TELEMETRY } from './slots.js';

/** Audit events, metrics and alert signals; refuses requests it could not audit. */
export const telemetryFeature: Feature = {
  name: 'telemetry',
  config: { key: 'telemetry', schema: telemetrySchema },
  service: telemetryService.build,
  stages: [auditBackpressureStage, recordStage],
  healthRoutes: [
    {
      // Which alert signals can fire now (evaluating, warming_up until, disabled): no silent warm-up.
      path: '/health/alerts',
      create: (rt) => {
        const alerts = TELEMETRY.get(rt)?.alerts;
        return alerts == null ? null : () => alerts.health();
      },
    },
  ],
};
