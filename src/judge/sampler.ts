import type { JudgeConfig } from '../config/schema/judge.js';
import type { RequestContext } from '../pipeline/context.js';
import type { PaceView } from '../pipeline/pace.js';
import type { SampleReason } from './types.js';

export interface Sampler {
  /** Why this answered request goes to the Judge, or null (not sampled, or nothing to judge). */
  decide(ctx: RequestContext): SampleReason | null;
}

/** Only answers the guardrails let through are judged: a refused request has nothing to evaluate. */
const JUDGED_ENDPOINTS: ReadonlySet<string> = new Set(['chat', 'completions']);

/**
 * Stratified by risk: flagged answers and guardrail near misses always go; with PACE in Alternate
 * (guardrails degraded) every answer goes; the rest at the route's rate (its override, else its
 * tier's). The route's rate is resolved once per alias, at boot.
 */
export function createSampler(
  cfg: JudgeConfig,
  routes: ReadonlyMap<string, { readonly tier: 1 | 2 | 3 }>,
  pace: () => PaceView | undefined,
  random: () => number = Math.random,
): Sampler {
  const rates = new Map<string, number>();
  for (const [alias, r] of routes)
    rates.set(alias, cfg.sampling.routes[alias]?.rate ?? cfg.sampling.tiers[r.tier].rate);
  const nearMiss = cfg.sampling.nearMissScore;
  return {
    decide(ctx) {
      const route = ctx.route;
      if (route === null || ctx.status !== 200 || ctx.clientAborted || !JUDGED_ENDPOINTS.has(ctx.endpoint))
        return null;
      if (ctx.flags.length > 0) return 'flagged';
      let near = false;
      for (const v of ctx.verdicts) {
        if (v.action === 'flag' || v.action === 'redact') return 'flagged';
        if (v.score >= nearMiss) near = true;
      }
      if (near) return 'near_miss';
      if (pace()?.stateOf(route.alias) === 'alternate') return 'alternate';
      const rate = rates.get(route.alias) ?? 0;
      return rate > 0 && random() < rate ? 'sampled' : null;
    },
  };
}
