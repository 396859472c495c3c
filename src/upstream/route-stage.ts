import { overlayReader } from '../pipeline/overrides.js';
import type { StageDef } from '../pipeline/registry.js';
import { bodyOf } from '../pipeline/require.js';

/**
 * Pins the deployment: the consumer's alias is replaced by the configured model id, never chosen by
 * the consumer. An operator's pinned version (src/pipeline/overrides.ts, applied after a two-person
 * approval and lint) takes the YAML's place on every replica.
 */
export const routeStage: StageDef = {
  name: 'route.pin',
  phase: 'route',
  scope: 'route',
  create: (rt, route) => {
    const pinned = route.config.upstream.model;
    const overrides = overlayReader(rt);
    return (ctx) => {
      bodyOf(ctx).model = overrides().routes[route.alias]?.model ?? pinned;
    };
  },
};
