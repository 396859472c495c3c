import type { IncomingHttpHeaders } from 'node:http';
import { traceparent } from '../edge/correlate.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import type { RequestContext } from '../pipeline/context.js';
import type { StageDef } from '../pipeline/registry.js';
import { mapUpstreamError } from './errors.js';
import type { ModelEndpoint } from './providers/types.js';
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
      const { path, body } = route.provider.request(endpoint, ctx.body!);
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
      };
      let res: Awaited<ReturnType<typeof route.dispatcher.request>>;
      try {
        res = await route.dispatcher.request({
          origin: route.origin,
          path: route.basePath + path,
          method: 'POST',
          headers,
          body: JSON.stringify(body),
          signal: ctx.abort.signal,
          headersTimeout: firstByteMs,
          bodyTimeout: idleMs,
        });
      } catch (err) {
        clearTimeout(timer);
        const mapped = mapUpstreamError(err, ctx.abort.signal);
        // The client sees only the code; the operator needs which check failed (name, CA, pin, alert).
        if (mapped.code === 'GH_ERR_UPSTREAM_TLS')
          log.warn(
            { request_id: ctx.requestId, route: route.alias, reason: String(err) },
            'upstream TLS failed',
          );
        throw mapped;
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
        throw upstreamStatusError(res.statusCode, res.headers);
      }
      const type = String(res.headers['content-type'] ?? '');
      if (ctx.stream) {
        if (!type.startsWith('text/event-stream')) {
          res.body.destroy();
          clearTimeout(timer);
          throw new GatehouseError('GH_ERR_UPSTREAM_BAD_RESPONSE');
        }
        ctx.upstream = { status: res.statusCode, json: null, stream: res.body };
        return;
      }
      try {
        const buf = await readBounded(res.body, maxResponseBytes, ctx.abort.signal);
        if (!type.startsWith('application/json')) throw new GatehouseError('GH_ERR_UPSTREAM_BAD_RESPONSE');
        ctx.upstream = { status: res.statusCode, json: parseUpstreamJson(buf), stream: null };
        ctx.upstream.json = route.provider.response(endpoint, ctx.upstream.json!);
        recordUsage(ctx, ctx.upstream.json);
      } catch (err) {
        throw mapUpstreamError(err, ctx.abort.signal);
      } finally {
        clearTimeout(timer);
      }
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
