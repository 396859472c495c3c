import type { Stage } from '../pipeline/context.js';
import type { StageDef } from '../pipeline/registry.js';
import { deriveSecurityEvents } from './audit/derive.js';
import { flatLineWriter } from './logger.js';
import { TELEMETRY } from './slots.js';

/**
 * The record phase, after every request (success, error or abort):
 * - one operational log line (identifiers and numbers only: no prompt, no answer, no header values;
 *   credentials are also censored by the logger's redaction list);
 * - the audit event (schema v1, docs/audit-events.md) to every configured sink;
 * - the request's metrics and alert inputs;
 * - the security events the request raised (auth failure, unknown consumer, limit hit, guardrail
 *   verdicts), each as its own audit event.
 */
export const recordStage: StageDef = {
  name: 'record',
  phase: 'record',
  scope: 'completion',
  create(rt): Stage {
    // Every field of the request line is a primitive: top-level redaction is enough and far cheaper,
    // and the line can be written without pino's generic serialiser (flatLineWriter).
    const line = flatLineWriter(rt.logger, 'request');
    const svc = TELEMETRY.get(rt);
    // Without a sink there is no one to read the event: skip building it.
    const audit = svc !== undefined && svc.channels.length > 0;
    return (ctx) => {
      const latencyMs = Math.round((performance.now() - ctx.start) * 1000) / 1000;
      const route = ctx.route;
      line({
        event: 'request',
        request_id: ctx.requestId,
        trace_id: ctx.trace.traceId,
        span_id: ctx.trace.spanId,
        endpoint: ctx.endpoint,
        route: route?.alias ?? null,
        alias: ctx.alias,
        pinned_model: route?.config.upstream.model ?? null,
        tier: route?.tier ?? null,
        consumer: ctx.identity?.consumer ?? null,
        agent: ctx.identity?.agent ?? null,
        session: ctx.identity?.session ?? null,
        auth_method: ctx.identity?.method ?? null,
        status: ctx.status,
        error_code: ctx.error?.code ?? null,
        stream: ctx.stream,
        latency_ms: latencyMs,
        ttft_ms: ctx.ttftMs === null ? null : Math.round(ctx.ttftMs * 1000) / 1000,
        input_tokens: ctx.usage?.inputTokens ?? ctx.inputTokens,
        output_tokens: ctx.usage?.outputTokens ?? 0,
        usage_source: ctx.usageSource,
        cost: ctx.cost,
        client_address: ctx.sourceIp,
        user_agent: ctx.userAgent,
      });
      if (svc === undefined) return;
      if (audit) svc.emitLine(svc.events.requestLine(ctx, latencyMs));
      svc.metrics.request(ctx, latencyMs / 1000);
      const usage = ctx.usage;
      const alerts = svc.alerts;
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
