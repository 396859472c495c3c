import { GatehouseError } from '../errors/gatehouse-error.js';
import type { RequestContext, UpstreamResult } from './context.js';
import type { RuntimeRoute } from './runtime.js';

/**
 * A broken assumption of the gateway itself (a stage ran before the one that fills what it reads):
 * GH_ERR_INTERNAL to the client, the reason in the log only (as the `cause`).
 */
export function internalError(why: string): GatehouseError {
  return new GatehouseError('GH_ERR_INTERNAL', { cause: new Error(why) });
}

/** The parsed body; `validate.parse` sets it before any route stage runs. */
export function bodyOf(ctx: RequestContext): Record<string, unknown> {
  if (ctx.body === null) throw internalError('ctx.body read before validate.parse set it');
  return ctx.body;
}

/** The resolved route; `validate.parse` sets it before any route stage runs. */
export function routeOf(ctx: RequestContext): RuntimeRoute {
  if (ctx.route === null) throw internalError('ctx.route read before validate.parse set it');
  return ctx.route;
}

/** The upstream's answer; `callUpstream` sets it before delivery. */
export function upstreamOf(ctx: RequestContext): UpstreamResult {
  if (ctx.upstream === null) throw internalError('ctx.upstream read before callUpstream set it');
  return ctx.upstream;
}
