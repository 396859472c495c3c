import { limitsSchema } from '../../config/schema/limits.js';
import type { Feature } from '../../pipeline/feature.js';
import { admitStage } from './admit-stage.js';
import { limitsLint } from './lint.js';
import { markUpstreamStage } from './mark-stage.js';
import { limitsService } from './service.js';
import { settleStage } from './settle-stage.js';

/** Token-aware admission, the upstream-started mark, settlement against real usage. */
export const limitsFeature: Feature = {
  name: 'limits',
  config: { key: 'limits', schema: limitsSchema },
  lint: [limitsLint],
  service: limitsService.build,
  stages: [admitStage, markUpstreamStage, settleStage],
};
