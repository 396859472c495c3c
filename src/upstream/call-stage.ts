import type { IncomingHttpHeaders } from 'node:http';
import { GatehouseError } from '../errors/gatehouse-error.js';
import type { ModelEndpoint } from '../formats/provider.js';
import { traceparent } from '../formats/trace.js';
import type { RequestContext } from '../pipeline/context.js';
import type { StageDef } from '../pipeline/registry.js';
import { bodyOf } from '../pipeline/require.js';
import { logUpstreamFailure, mapUpstreamError } from './errors.js';
import { budgetLimits, OutputBudget } from './output-budget.js';
import { readBounded } from './read-bounded.js';

/**
 * Calls the pinned deployment through the route's keep-alive pool. Only headers the gateway builds
 * are sent: the consumer's own (authorization, cookies, hop-by-hop) are never forwarded.
 *
 * Timeouts: connect (pool), first byte (headersTimeout), idle gap between body chunks
 * (bodyTimeout), and the total, which aborts the shared controller.
 */
export const callUpstreamStage: StageDef = {
  name: 'callUpstream',
  phase: 'callUpstream',
  scope: 'route',
  after: ['limits.mark-upstream'], // settlement charges an abort once the call has started
  create: (rt, route) => {
    const { firstByteMs, idleMs, totalMs } = route.config.timeouts;
    const maxResponseBytes = route.config.upstream.maxResponseBytes;
    const fixedHeaders = {
      ...route.upstreamHeaders,
      'content-type': 'application/json',
      'user-agent': 'gatehouse',
    };
    const log = rt.logger;
    return async (ctx) => {
      const endpoint = ctx.endpoint as ModelEndpoint;
      const provider = route.provider;
      const { path, body, headers: providerHeaders } = provider.request(endpoint, bodyOf(ctx), ctx.stream);
      const timer = setTimeout(
        () => ctx.abort.abort(new GatehouseError('GH_ERR_UPSTREAM_TOTAL_TIMEOUT')),
        totalMs,
      );
      timer.unref();
      ctx.res.once('close', () => clearTimeout(timer));
      const headers: Record<string, string> = {
        ...fixedHeaders,
        accept: ctx.stream ? 'text/event-stream' : 'application/json',
        'x-request-id': ctx.requestId,
        traceparent: traceparent(ctx.trace),
        ...ctx.upstreamExtraHeaders,
        ...providerHeaders,
      };
      const bodyText = JSON.stringify(body);
      let res: Awaited<ReturnType<typeof route.dispatcher.request>>;
      try {
        // Signed or short-lived credentials (SigV4, OAuth) cover the exact bytes and headers sent.
        if (provider.authorize !== undefined)
          Object.assign(
            headers,
            await provider.authorize({
              method: 'POST',
              origin: route.origin,
              path: route.basePath + path,
              headers,
              body: bodyText,
            }),
          );
        res = await route.dispatcher.request({
          origin: route.origin,
          path: route.basePath + path,
          method: 'POST',
          headers,
          body: bodyText,
          signal: ctx.abort.signal,
          headersTimeout: firstByteMs,
          bodyTimeout: idleMs,
        });
      } catch (err) {
        clearTimeout(timer);
        const ge = mapUpstreamError(err, ctx.abort.signal);
        logUpstreamFailure(log, ctx.requestId, ge);
        // The client sees only the code; the operator needs which check failed (name, CA, pin, alert).
        if (ge.code === 'GH_ERR_UPSTREAM_TLS')
          log.warn(
            { request_id: ctx.requestId, route: route.alias, reason: String(err) },
            'upstream TLS failed',
          );
        throw ge;
      }
      if (res.statusCode >= 400) {
        const text = await readBounded(res.body, 64 * 1024, ctx.abort.signal).catch(() => Buffer.alloc(0));
        clearTimeout(timer);
        log.warn(
          {
            request_id: ctx.requestId,
            upstream_status: res.statusCode,
            upstream_body: text.toString('utf8', 0, 2048),
          },
          'upstream error',
        );
        provider.observe?.(res.statusCode, res.headers, null, ctx);
        throw (
          provider.mapError?.(res.statusCode, res.headers, text.toString('utf8')) ??
          upstreamStatusError(res.statusCode, res.headers)
        );
      }
      const type = String(res.headers['content-type'] ?? '');
      if (ctx.stream) {
        if (!type.startsWith(provider.streamType ?? 'text/event-stream')) {
          res.body.destroy();
          clearTimeout(timer);
          const ge = new GatehouseError('GH_ERR_UPSTREAM_BAD_RESPONSE');
          logUpstreamFailure(log, ctx.requestId, ge);
          throw ge;
        }
        provider.observe?.(res.statusCode, res.headers, null, ctx);
        const stream = provider.adaptStream ? provider.adaptStream(endpoint, res.body) : res.body;
        ctx.upstream = { status: res.statusCode, json: null, stream };
        return;
      }
      let json: Record<string, unknown>;
      try {
        const buf = await readBounded(res.body, maxResponseBytes, ctx.abort.signal);
        if (!type.startsWith('application/json')) throw new GatehouseError('GH_ERR_UPSTREAM_BAD_RESPONSE');
        json = parseUpstreamJson(buf);
      } catch (err) {
        const ge = mapUpstreamError(err, ctx.abort.signal, 'GH_ERR_UPSTREAM_READ_FAILED');
        logUpstreamFailure(log, ctx.requestId, ge);
        throw ge;
      } finally {
        clearTimeout(timer);
      }
      // Our own processing: a fault here is internal (the runner logs it with its stack), not the upstream's.
      provider.observe?.(res.statusCode, res.headers, json, ctx);
      json = provider.response(endpoint, json);
      ctx.upstream = { status: res.statusCode, json, stream: null };
      recordUsage(ctx, json);
      enforceBudget(ctx, json, route.countTokens);
    };
  },
};

function parseUpstreamJson(buf: Buffer): Record<string, unknown> {
  try {
    const v = JSON.parse(buf.toString('utf8'));
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v;
  } catch {
    // fall through
  }
  throw new GatehouseError('GH_ERR_UPSTREAM_BAD_RESPONSE');
}

/**
 * The output budget on a whole answer: each choice is cut to the clamped `max_tokens` and marked
 * `finish_reason: "length"` when the upstream ignored it. The upstream's own `usage` stays what
 * is charged (the tokens were generated); without one, what was kept is counted and charged.
 */
function enforceBudget(
  ctx: RequestContext,
  json: Record<string, unknown>,
  count: (text: string) => number,
): void {
  const endpoint = ctx.endpoint as ModelEndpoint;
  const limits = budgetLimits(endpoint, ctx.body, ctx.maxOutputTokens, ctx.inputTokens);
  if (limits === null) return;
  const budget = new OutputBudget(count, limits, endpoint);
  budget.answer(json);
  if (ctx.usageSource !== 'upstream') {
    ctx.usage = { inputTokens: ctx.inputTokens, outputTokens: budget.tokens };
    ctx.usageSource = 'counted';
  }
}

export function recordUsage(ctx: RequestContext, json: Record<string, unknown>): void {
  const u = json.usage as { prompt_tokens?: unknown; completion_tokens?: unknown } | null | undefined;
  if (u && typeof u.prompt_tokens === 'number') {
    ctx.usage = {
      inputTokens: u.prompt_tokens,
      outputTokens: typeof u.completion_tokens === 'number' ? u.completion_tokens : 0,
    };
    ctx.usageSource = 'upstream';
  }
}

/**
 * A consumer can fix a 400 or back off on a 429; a 401/403/404 from the upstream is our
 * misconfiguration and a 5xx is the upstream's failure: those are 502 with nothing passed through.
 */
function upstreamStatusError(status: number, headers: IncomingHttpHeaders): GatehouseError {
  if (status === 429) {
    const ra = headers['retry-after'];
    return new GatehouseError(
      'GH_ERR_UPSTREAM_RATE_LIMITED',
      typeof ra === 'string' ? { headers: { 'retry-after': ra } } : {},
    );
  }
  if (status === 400 || status === 413 || status === 422)
    return new GatehouseError('GH_ERR_UPSTREAM_REJECTED');
  return new GatehouseError('GH_ERR_UPSTREAM_ERROR');
}
