import type { StageDef } from '../pipeline/registry.js';

/** Request id and trace are assigned by the runner before any stage; this stage echoes them back. */
export const correlateStage: StageDef = {
  name: 'correlate',
  phase: 'correlate',
  scope: 'edge',
  create: () => (ctx) => {
    ctx.responseHeaders['x-request-id'] = ctx.requestId;
  },
};
