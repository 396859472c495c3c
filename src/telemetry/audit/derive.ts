import { authErrors } from '../../errors/codes/auth.js';
import { limitsErrors } from '../../errors/codes/limits.js';
import type { RequestContext } from '../../pipeline/context.js';
import type { SecurityEventInput } from './security.js';

/**
 * The security events of a finished request: those stages pushed on `ctx.securityEvents`, plus
 * what the outcome implies when they did not: an authentication error code is an `auth.failure`
 * (and a `consumer.unknown` when the code says UNKNOWN_CONSUMER), a limits error code is a
 * `limit.hit`, and every guardrail verdict other than `allow` is a `guardrail.verdict`.
 */
const AUTH: ReadonlySet<string> = new Set(Object.keys(authErrors));
const LIMITS: ReadonlySet<string> = new Set(Object.keys(limitsErrors));
const UNKNOWN = /UNKNOWN_CONSUMER/;

export function deriveSecurityEvents(ctx: RequestContext): SecurityEventInput[] {
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
        dimension: ctx.limitDimension ?? code.replace(/^GH_ERR_/, '').toLowerCase(),
      });
  }
  if (!has('guardrail.verdict'))
    for (const v of ctx.verdicts)
      if (v.action !== 'allow') out.push({ action: 'guardrail.verdict', verdict: v });
  return out;
}
