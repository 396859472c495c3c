import type { Feature } from '../../pipeline/feature.js';
import { capsStage } from './caps-stage.js';
import { parseStage } from './parse-stage.js';

/** Body read, JSON and field-map validation (edge), then the route's counts and caps. */
export const validationFeature: Feature = { name: 'validation', stages: [parseStage, capsStage] };
