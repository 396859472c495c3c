import type { StageDef } from '../pipeline/registry.js';
import { bodyOf } from '../pipeline/require.js';

/** Pins the deployment: the consumer's alias is replaced by the configured model id, never chosen by the consumer. */
export const routeStage: StageDef = {
  name: 'route.pin',
  phase: 'route',
  scope: 'route',
  create: (_rt, route) => {
    const pinned = route.config.upstream.model;
    return (ctx) => {
      bodyOf(ctx).model = pinned;
    };
  },
};
