import type { Feature } from '../pipeline/feature.js';
import { correlateStage } from './correlate.js';

/** Request ids and W3C trace context, first of every request. */
export const correlationFeature: Feature = { name: 'correlation', stages: [correlateStage] };
