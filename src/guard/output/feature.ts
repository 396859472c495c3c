import { outputGuardSchema } from '../../config/schema/output-guard.js';
import type { Feature } from '../../pipeline/feature.js';
import { inspectOutputStage } from './inspect-stage.js';
import { prepareOutputGuardStage } from './prepare-stage.js';
import { outputGuardService } from './service.js';

/** Output guardrails: canary and system-prompt index (input side), answer and stream inspection. */
export const outputGuardFeature: Feature = {
  name: 'outputGuard',
  config: { key: 'outputGuard', schema: outputGuardSchema },
  service: outputGuardService.build,
  stages: [prepareOutputGuardStage, inspectOutputStage],
};
