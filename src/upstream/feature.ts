import { providersSchema } from '../config/schema/provider-settings.js';
import type { Feature } from '../pipeline/feature.js';
import { callUpstreamStage } from './call-stage.js';
import { backendAdminRoutes } from './introspect/admin-routes.js';
import { BACKENDS, buildBackendsService } from './introspect/service.js';
import { verifiedBackendStage } from './introspect/stage.js';
import { pinnedModelsLint, upstreamTlsLint } from './lint.js';
import { managedEndpointLint, providerEndpointsLint } from './managed-lint.js';
import { routeStage } from './route-stage.js';

/** Alias → pinned model (checked at vLLM/TGI servers that report what they serve), and the bounded upstream call. */
export const upstreamFeature: Feature = {
  name: 'upstream',
  config: { key: 'providers', schema: providersSchema },
  lint: [pinnedModelsLint, upstreamTlsLint, managedEndpointLint, providerEndpointsLint],
  service: async (rt) => {
    const backends = await buildBackendsService(rt);
    if (backends !== null) BACKENDS.set(rt, backends);
  },
  stages: [routeStage, verifiedBackendStage, callUpstreamStage],
  adminRoutes: backendAdminRoutes,
};
