import { providersSchema } from '../config/schema/provider-settings.js';
import type { Feature } from '../pipeline/feature.js';
import { callUpstreamStage } from './call-stage.js';
import { pinnedModelsLint, upstreamTlsLint } from './lint.js';
import { managedEndpointLint, providerEndpointsLint } from './managed-lint.js';
import { routeStage } from './route-stage.js';

/** Alias → pinned model, and the bounded upstream call. */
export const upstreamFeature: Feature = {
  name: 'upstream',
  config: { key: 'providers', schema: providersSchema },
  lint: [pinnedModelsLint, upstreamTlsLint, managedEndpointLint, providerEndpointsLint],
  stages: [routeStage, callUpstreamStage],
};
