import type { StageDef } from '../pipeline/registry.js';

/**
 * One structured event per request. Carries identifiers and numbers only: no prompt, no answer, no
 * header values (credentials are also censored by the logger's redaction list).
 */
export const recordStage: StageDef = {
  name: 'record.log',
  phase: 'record',
  scope: 'completion',
  create: (rt) => {
    const log = rt.logger;
    return (ctx) => {
      const latencyMs = performance.now() - ctx.start;
      const route = ctx.route;
      log.info(
        {
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
          latency_ms: Math.round(latencyMs * 1000) / 1000,
          ttft_ms: ctx.ttftMs === null ? null : Math.round(ctx.ttftMs * 1000) / 1000,
          input_tokens: ctx.usage?.inputTokens ?? ctx.inputTokens,
          output_tokens: ctx.usage?.outputTokens ?? 0,
          usage_source: ctx.usageSource,
          cost: ctx.cost,
          client_address: ctx.sourceIp,
          user_agent: ctx.userAgent,
        },
        'request',
      );
    };
  },
};
