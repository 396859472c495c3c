import { guardSchema } from '../config/schema/guard.js';
import type { Feature } from '../pipeline/feature.js';
import { inspectInputStage } from './input-stage.js';
import { guardService } from './service.js';

/** Input guardrails: the detector engine and the inspectInput stage. */
export const guardFeature: Feature = {
  name: 'guard',
  config: { key: 'guard', schema: guardSchema },
  service: guardService.build,
  stages: [inspectInputStage],
};
