import { traceparent } from '../formats/trace.js';
import type { StageDef } from '../pipeline/registry.js';

/**
 * Request id and trace are assigned by the runner before any stage; this stage echoes them back:
 * the request id, and this hop's trace context as W3C `traceresponse`, so a caller (and
 * `gatehouse audit`) sees that a supplied `traceparent` was continued rather than replaced.
 */
export const correlateStage: StageDef = {
  name: 'correlate',
  phase: 'correlate',
  scope: 'edge',
  create: () => (ctx) => {
    ctx.responseHeaders['x-request-id'] = ctx.requestId;
    ctx.responseHeaders.traceresponse = traceparent(ctx.trace);
  },
};
