import type { GatehouseError } from '../errors/gatehouse-error.js';
import type { RequestContext, Stage } from './context.js';
import type { RuntimeRoute } from './runtime.js';
import { defineService } from './slot.js';

/**
 * The contract between the upstream call (src/upstream/call-stage.ts) and the resilience feature
 * (src/resilience/): the call stage knows how to make one call to one deployment; the policy decides
 * which deployments to try, how often and when to stop (retries, circuit breakers, backup
 * deployments, PACE degraded answers, the contingency queue). Without the policy (feature off) the
 * call stage makes its one attempt.
 */

/**
 * One call to one deployment (a route whose pinned model and origin are used). It resolves once the
 * answer is accepted (a whole answer read, or a stream's headers received: the caller then starts
 * writing and nothing may be retried) and sets `ctx.upstream`; it rejects with a GatehouseError.
 */
export type UpstreamAttempt = (deployment: RuntimeRoute) => Promise<void>;

export interface UpstreamPolicy {
  call(ctx: RequestContext, route: RuntimeRoute, attempt: UpstreamAttempt): Promise<void>;
}

export const upstreamPolicyKey = defineService<UpstreamPolicy>('upstream.policy');

/** What the upstream answered, carried on the error's `cause` so the policy can tell a 503 from a 404. */
export interface UpstreamStatusCause {
  readonly upstreamStatus: number;
}

export function upstreamStatusOf(err: GatehouseError): number | null {
  const c = err.cause as Partial<UpstreamStatusCause> | null | undefined;
  return typeof c?.upstreamStatus === 'number' ? c.upstreamStatus : null;
}

/**
 * The completion stages (settle, record), set by the composition root once the pipeline is built, so
 * a feature that replays a request outside the HTTP runner (the contingency queue) still settles and
 * audits it.
 */
export const completionStagesKey = defineService<readonly Stage[]>('pipeline.completion');
