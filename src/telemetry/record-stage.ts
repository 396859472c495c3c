import type { Stage } from '../pipeline/context.js';
import type { StageDef } from '../pipeline/registry.js';
import { deriveSecurityEvents } from './audit/derive.js';

/**
 * The record phase: one audit event per request to every sink, the request's metrics, its alert
 * inputs, and the security events the request raised (auth failure, unknown consumer, limit hit,
 * guardrail verdicts). Runs after every request, on success, error or abort.
 */
export const recordStage: StageDef = {
  name: 'telemetry.record',
  phase: 'record',
  scope: 'completion',
  create(rt): Stage | null {
    const svc = rt.services.telemetry;
    if (svc === undefined) return null;
    const { events, metrics, alerts } = svc;
    return (ctx) => {
      const ev = events.request(ctx);
      svc.emit(ev);
      const latencyMs = ev.gatehouse.latency_ms ?? 0;
      metrics.request(ctx, latencyMs / 1000);
      const usage = ctx.usage;
      alerts?.observeRequest({
        status: ctx.status,
        latencyMs,
        tokens: usage === null ? 0 : usage.inputTokens + usage.outputTokens,
        blocked: ctx.verdicts.some((v) => v.action === 'block'),
      });
      for (const se of deriveSecurityEvents(ctx)) svc.requestSecurity(se, ctx);
      if (alerts !== null && ctx.quotaUsage !== undefined && ctx.identity !== null)
        for (const q of ctx.quotaUsage)
          if (q.limit > 0) alerts.observeQuota(ctx.identity.consumer, q.dimension, q.used / q.limit);
    };
  },
};
