import { setTimeout as sleep } from 'node:timers/promises';
import type { ResilienceConfig } from '../../config/schema/resilience.js';
import { GatehouseError, toGatehouseError } from '../../errors/gatehouse-error.js';
import type { RequestContext } from '../../pipeline/context.js';
import type { PaceStamp, PaceState } from '../../pipeline/pace.js';
import type { RuntimeRoute } from '../../pipeline/runtime.js';
import type { UpstreamAttempt, UpstreamPolicy } from '../../pipeline/upstream-policy.js';
import type { KillSwitch } from '../killswitch/service.js';
import { isHighRisk, staticAnswer } from '../pace/alternate.js';
import type { PaceMachine } from '../pace/machine.js';
import type { Breakers } from './breaker.js';
import { backoffMs, classifyFailure, retryAfterMs } from './classify.js';

export interface Deployment {
  /** The route whose pinned model, origin, credentials and pool are used. */
  readonly route: RuntimeRoute;
  /** Its pinned model id: the kill switch's and the metrics' name for it. */
  readonly name: string;
  /**
   * The breaker's key: the configured route that defines this deployment (origin, model, TLS,
   * credentials). Two routes to the same model id (two regions, a copy with other credentials) fail
   * independently; one misconfigured route never opens another's breaker.
   */
  readonly key: string;
}

export interface PolicyDeps {
  readonly config: ResilienceConfig;
  readonly killSwitch: KillSwitch;
  readonly breakers: Breakers;
  readonly pace: PaceMachine;
  deploymentsOf(alias: string): readonly Deployment[];
  stamp(ctx: RequestContext, state: PaceState): PaceStamp;
  /** Contingency: accepts the request into the durable queue and sets the 202 answer; false when it cannot. */
  enqueue?(ctx: RequestContext, route: RuntimeRoute): Promise<boolean>;
  readonly counters: {
    retry(route: string, deployment: string): void;
    fallback(route: string, deployment: string): void;
  };
}

/**
 * The route's upstream call under PACE: Alternate answers high-risk requests itself; otherwise the
 * primary then each backup deployment is tried in order, each behind its breaker and with retries of
 * idempotent failures (jittered exponential backoff, `retry-after` honoured, never past the total
 * timeout). The guardrails, limits and audit are the route's stages, around this call: a backup's
 * answer is inspected exactly like the primary's. Nothing left → the queue (if the route allows it)
 * or a coded 503; never an unguarded call.
 */
export function createUpstreamPolicy(deps: PolicyDeps): UpstreamPolicy {
  const { config, killSwitch, breakers } = deps;
  const routeCfg = (alias: string) => config.routes[alias];

  const alternate = (ctx: RequestContext, route: RuntimeRoute, stamp: PaceStamp): boolean => {
    const alt = routeCfg(route.alias)?.alternate;
    const mode = alt?.mode ?? 'static';
    if (alt !== undefined && !isHighRisk(ctx, route, alt.highRisk)) {
      // Low risk continues; the Judge samples it (a hook the Judge consumes): marked for review.
      stamp.review = true;
      if (!ctx.flags.includes('pace:alternate')) ctx.flags.push('pace:alternate');
      return false;
    }
    if (alt === undefined && route.tier < 2) {
      stamp.review = true;
      if (!ctx.flags.includes('pace:alternate')) ctx.flags.push('pace:alternate');
      return false;
    }
    if (mode === 'refuse' || !staticAnswer(ctx, alt?.staticAnswer ?? STATIC_DEFAULT))
      throw new GatehouseError('GH_ERR_DEGRADED_REFUSED', { headers: { 'retry-after': '30' } });
    return true;
  };

  return {
    async call(ctx, route, attempt: UpstreamAttempt) {
      const state = deps.pace.stateOf(route.alias);
      const stamp = deps.stamp(ctx, state);
      stamp.state = state;
      if (state === 'alternate' && alternate(ctx, route, stamp)) return;
      const rc = routeCfg(route.alias);
      const retry = rc?.retry ?? config.retry;
      const deadline = ctx.start + route.config.timeouts.totalMs;
      if (state === 'contingency' && deps.pace.signalActive('judge_degraded', route.alias)) {
        stamp.review = true;
        if (!ctx.flags.includes('pace:contingency')) ctx.flags.push('pace:contingency');
      }
      let lastErr: GatehouseError | null = null;
      let openUntil: number | null = null;
      const deployments = deps.deploymentsOf(route.alias);
      for (let i = 0; i < deployments.length; i++) {
        const d = deployments[i];
        if (d === undefined || killSwitch.match(null, null, d.name) !== null) continue;
        const breaker = routeCfg(d.route.alias)?.breaker ?? config.breaker;
        for (let n = 1; n <= retry.attempts; n++) {
          const admission = breakers.admit(d.key, breaker);
          if (admission === 'refuse') {
            const at = breakers.retryAt(d.key);
            if (at !== null) openUntil = openUntil === null ? at : Math.min(openUntil, at);
            break;
          }
          stamp.attempts++;
          if (n > 1) deps.counters.retry(route.alias, d.name);
          try {
            await attempt(d.route);
          } catch (err) {
            const ge = toGatehouseError(err);
            // Time is up or the client left: no one else is asked (and the deployment is not blamed for our abort).
            if (ctx.abort.signal.aborted) {
              breakers.report(d.key, breaker, admission, false);
              throw ge;
            }
            const cls = classifyFailure(ge);
            breakers.report(d.key, breaker, admission, cls.breaker);
            lastErr = ge;
            if (cls.next === 'stop') throw ge;
            if (cls.next === 'next' || n === retry.attempts) break;
            let wait = backoffMs(n, retry.baseMs, retry.maxMs);
            const ra = retryAfterMs(ge.headers?.['retry-after'], Date.now());
            if (ra !== null) {
              if (ra > retry.maxRetryAfterMs) break;
              wait = Math.max(wait, ra);
            }
            // Bounded by the total timeout: a retry that could not finish in time is not started.
            if (performance.now() + wait >= deadline) break;
            await sleep(wait, undefined, { signal: ctx.abort.signal }).catch(() => {
              throw toGatehouseError(ctx.abort.signal.reason);
            });
            continue;
          }
          breakers.report(d.key, breaker, admission, false);
          if (i > 0) {
            stamp.fallback = d.route.alias;
            deps.counters.fallback(route.alias, d.name);
          }
          return;
        }
      }
      // Nothing answered. Contingency: the durable queue for routes that allow it, else a coded error.
      if (deps.enqueue !== undefined && (await deps.enqueue(ctx, route))) return;
      if (lastErr !== null && openUntil === null) throw lastErr;
      const retryAfterS = Math.max(1, Math.ceil(((openUntil ?? Date.now() + 5_000) - Date.now()) / 1000));
      throw new GatehouseError('GH_ERR_UPSTREAM_CIRCUIT_OPEN', {
        headers: { 'retry-after': String(retryAfterS) },
        ...(lastErr === null ? {} : { cause: lastErr }),
      });
    },
  };
}

const STATIC_DEFAULT = 'This service is running in a reduced mode. Please try again later.';
