import { authErrors } from '../../errors/codes/auth.js';
import { limitsErrors } from '../../errors/codes/limits.js';
import { LIMIT_DIMENSION_NAMES as N } from '../../formats/limit-dimension.js';
import type { RequestContext } from '../../pipeline/context.js';
import type { SecurityEventInput } from './security.js';

/**
 * The security events of a finished request: those stages pushed on `ctx.securityEvents`, plus
 * what the outcome implies when they did not: an authentication error code is an `auth.failure`
 * (and a `consumer.unknown` when the code says UNKNOWN_CONSUMER), a limits error code is a
 * `limit.hit`, the limiter's quota and soft-cap events are `budget.threshold`, and every guardrail
 * verdict other than `allow` is a `guardrail.verdict`.
 */
const AUTH: ReadonlySet<string> = new Set(Object.keys(authErrors));
const LIMITS: ReadonlySet<string> = new Set(Object.keys(limitsErrors));
const UNKNOWN = /UNKNOWN_CONSUMER/;

/** The limiter dimension each limits code stands for (src/errors/codes/limits.ts). */
const DIMENSION: Readonly<Record<string, string>> = {
  GH_ERR_RATE_REQUESTS: N.requests,
  GH_ERR_RATE_INPUT_TOKENS: N.inputTokens,
  GH_ERR_RATE_OUTPUT_TOKENS: N.outputTokens,
  GH_ERR_COST_CAP: N.cost,
  GH_ERR_CONCURRENCY: N.concurrency,
  GH_ERR_GLOBAL_CONCURRENCY: N.globalConcurrency,
  GH_ERR_LIMITS_UNAVAILABLE: N.store,
};

const NONE: readonly SecurityEventInput[] = Object.freeze([]);

export function deriveSecurityEvents(ctx: RequestContext): readonly SecurityEventInput[] {
  // The common request raised nothing: no array, no closure (issue 13).
  if (
    ctx.securityEvents === undefined &&
    ctx.error === null &&
    ctx.limitEvents === undefined &&
    ctx.verdicts.length === 0
  )
    return NONE;
  const pushed = ctx.securityEvents ?? [];
  const out: SecurityEventInput[] = [...pushed];
  const has = (a: SecurityEventInput['action']): boolean => pushed.some((e) => e.action === a);
  const code = ctx.error?.code;
  if (code !== undefined) {
    if (AUTH.has(code)) {
      if (!has('auth.failure')) out.push({ action: 'auth.failure', reason: code });
      if (UNKNOWN.test(code) && !has('consumer.unknown'))
        out.push({ action: 'consumer.unknown', reason: code });
    }
    if (LIMITS.has(code) && !has('limit.hit'))
      out.push({
        action: 'limit.hit',
        dimension: ctx.limitDimension ?? DIMENSION[code] ?? code.replace(/^GH_ERR_/, '').toLowerCase(),
      });
  }
  // The limiter raises each threshold event once per window across replicas (src/edge/limits/events.ts).
  if (!has('budget.threshold'))
    for (const e of ctx.limitEvents ?? []) {
      if (e.type === 'limits.quota_threshold')
        out.push({
          action: 'budget.threshold',
          // The admission path's name for the same dimension: one condition, one quota alert.
          dimension: N[e.dimension],
          window: e.window,
          used: e.used,
          limit: e.limit,
        });
      else if (e.type === 'limits.cost_soft_cap')
        out.push({
          action: 'budget.threshold',
          dimension: 'cost_soft_cap',
          used: e.usedUsd,
          limit: e.softCapUsd,
          threshold: 1,
        });
    }
  if (!has('guardrail.verdict'))
    for (const v of ctx.verdicts)
      if (v.action !== 'allow') out.push({ action: 'guardrail.verdict', verdict: v });
  return out;
}
