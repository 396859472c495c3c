import { judgeSchema } from '../config/schema/judge.js';
import type { Feature } from '../pipeline/feature.js';
import { judgeAdminRoutes } from './admin-routes.js';
import { judgeConsolePage } from './console-page.js';
import { judgeHandoffStage } from './handoff-stage.js';
import { judgeLint } from './lint.js';
import { buildJudgeService } from './service.js';

/** The Judge (Zone 3): sampled and flagged answers evaluated asynchronously, findings to human review. */
export const judgeFeature: Feature = {
  name: 'judge',
  config: { key: 'judge', schema: judgeSchema },
  lint: [judgeLint],
  service: buildJudgeService,
  stages: [judgeHandoffStage],
  adminRoutes: judgeAdminRoutes,
  adminPages: [judgeConsolePage],
};
