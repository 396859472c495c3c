import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import { GatehouseError } from '../errors/gatehouse-error.js';
import { serialiseBody } from '../formats/json-splice.js';
import type { ModelEndpoint } from '../formats/provider.js';
import { traceparent } from '../formats/trace.js';
import { deploymentSlot } from '../pipeline/canary.js';
import type { RequestContext } from '../pipeline/context.js';
import type { StageDef } from '../pipeline/registry.js';
import { REQUEST_BYTES } from '../pipeline/request-bytes.js';
import { bodyOf } from '../pipeline/require.js';
import type { RuntimeRoute } from '../pipeline/runtime.js';
import { type UpstreamStatusCause, upstreamPolicyKey } from '../pipeline/upstream-policy.js';
import { logUpstreamFailure, mapUpstreamError } from './errors.js';
import { budgetLimits, OutputBudget } from './output-budget.js';
import { readBounded } from './read-bounded.js';

/**
 * Calls the pinned deployment through the route's keep-alive pool. Only headers the gateway builds
 * are sent: the consumer's own (authorization, cookies, hop-by-hop) are never forwarded.
 *
 * Timeouts: connect (pool), first byte (headersTimeout), idle gap between body chunks
 * (bodyTimeout), and the total, which aborts the shared controller and bounds every retry.
 * With the resilience feature on, the upstream policy (src/pipeline/upstream-policy.ts) decides
 * which deployments are called and how often; without it, one attempt.
 */
export const callUpstreamStage: StageDef = {
  name: 'callUpstream',
  phase: 'callUpstream',
  scope: 'route',
  after: ['limits.mark-upstream'], // settlement charges an abort once the call has started
  create: (rt, route) => {
    const { totalMs } = route.config.timeouts;
    const log = rt.logger;
    // Retries, breakers, backups and degraded modes (src/resilience/), when that feature is on.
    const policy = upstreamPolicyKey.get(rt);
    return async (ctx) => {
      const timer = setTimeout(
        () => ctx.abort.abort(new GatehouseError('GH_ERR_UPSTREAM_TOTAL_TIMEOUT')),
        totalMs,
      );
      timer.unref();
      ctx.res.once('close', () => clearTimeout(timer));
      const attempt = (d: RuntimeRoute) => callOnce(ctx, d, d === route, log, timer);
      // The canary's deployment when the canary feature sent this request there (src/pipeline/canary.ts).
      const deployment = deploymentSlot.get(ctx) ?? route;
      try {
        if (policy === undefined) await attempt(deployment);
        else await policy.call(ctx, deployment, attempt);
      } finally {
        // A stream keeps the total timer until it ends (the response's close clears it).
        if (ctx.upstream?.stream === null || ctx.upstream === null) clearTimeout(timer);
      }
    };
  },
};

/**
 * One call to one deployment: `d` is the request's route or, on a fallback, a backup route whose
 * pinned model, credentials and pool are used. Resolves once the answer is accepted (read whole, or
 * a stream's headers), which is the last point a retry may happen.
 */
async function callOnce(
  ctx: RequestContext,
  d: RuntimeRoute,
  /** The request's own route: route.pin already set its model (an operator's pin override included). */
  ownRoute: boolean,
  log: Logger,
  timer: NodeJS.Timeout,
): Promise<void> {
  const { firstByteMs, idleMs } = d.config.timeouts;
  const endpoint = ctx.endpoint as ModelEndpoint;
  const own = bodyOf(ctx);
  const provider = d.provider;
  // A backup or canary deployment is pinned like the primary: its own model id, never the
  // consumer's choice; the route itself keeps what route.pin chose (YAML or runtime override).
  const pinned = ownRoute ? own.model : d.config.upstream.model;
  const {
    path,
    body,
    headers: providerHeaders,
  } = provider.request(endpoint, own.model === pinned ? own : { ...own, model: pinned }, ctx.stream);
  const headers: Record<string, string> = {
    ...d.upstreamHeaders,
    'content-type': 'application/json',
    'user-agent': 'gatehouse',
    accept: ctx.stream ? 'text/event-stream' : 'application/json',
    'x-request-id': ctx.requestId,
    traceparent: traceparent(ctx.trace),
    ...ctx.upstreamExtraHeaders,
    ...providerHeaders,
  };
  // The request's own text for every field no stage changed (the whole body as received when none did).
  const raw = REQUEST_BYTES.get(ctx);
  const bodyText = serialiseBody(raw, body);
  let res: Awaited<ReturnType<typeof d.dispatcher.request>>;
  try {
    // Signed or short-lived credentials (SigV4, OAuth) cover the exact bytes and headers sent,
    // so they are computed per attempt (a retry or a backup signs its own request).
    if (provider.authorize !== undefined)
      Object.assign(
        headers,
        await provider.authorize({
          method: 'POST',
          origin: d.origin,
          path: d.basePath + path,
          headers,
          body: bodyText,
        }),
      );
    res = await d.dispatcher.request({
      origin: d.origin,
      path: d.basePath + path,
      method: 'POST',
      headers,
      // Unchanged: the bytes received, not an encoding of their decoding (no BOM to drop).
      body: raw !== undefined && bodyText === raw.text && raw.bytes[0] !== 0xef ? raw.bytes : bodyText,
      signal: ctx.abort.signal,
      headersTimeout: firstByteMs,
      bodyTimeout: idleMs,
    });
  } catch (err) {
    const ge = mapUpstreamError(err, ctx.abort.signal);
    logUpstreamFailure(log, ctx.requestId, ge);
    // The client sees only the code; the operator needs which check failed (name, CA, pin, alert).
    if (ge.code === 'GH_ERR_UPSTREAM_TLS')
      log.warn({ request_id: ctx.requestId, route: d.alias, reason: String(err) }, 'upstream TLS failed');
    throw ge;
  }
  if (res.statusCode >= 400) {
    const text = await readBounded(res.body, 64 * 1024, ctx.abort.signal).catch(() => Buffer.alloc(0));
    log.warn(
      {
        request_id: ctx.requestId,
        upstream_status: res.statusCode,
        upstream_body: text.toString('utf8', 0, 2048),
      },
      'upstream error',
    );
    provider.observe?.(res.statusCode, res.headers, null, ctx);
    const mapped = provider.mapError?.(res.statusCode, res.headers, text.toString('utf8'));
    // The status rides on the cause either way, for the resilience policy's retry decision.
    throw mapped instanceof GatehouseError
      ? new GatehouseError(mapped.code, {
          message: mapped.message,
          cause: { upstreamStatus: res.statusCode } satisfies UpstreamStatusCause,
          ...(mapped.headers !== undefined && { headers: { ...mapped.headers } }),
        })
      : upstreamStatusError(res.statusCode, res.headers);
  }
  const type = String(res.headers['content-type'] ?? '');
  if (ctx.stream) {
    if (!type.startsWith(provider.streamType ?? 'text/event-stream')) {
      res.body.destroy();
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
    const buf = await readBounded(res.body, d.config.upstream.maxResponseBytes, ctx.abort.signal);
    if (!type.startsWith('application/json')) throw new GatehouseError('GH_ERR_UPSTREAM_BAD_RESPONSE');
    json = parseUpstreamJson(buf);
  } catch (err) {
    const ge = mapUpstreamError(err, ctx.abort.signal, 'GH_ERR_UPSTREAM_READ_FAILED');
    logUpstreamFailure(log, ctx.requestId, ge);
    throw ge;
  }
  clearTimeout(timer);
  // Our own processing: a fault here is internal (the runner logs it with its stack), not the upstream's.
  provider.observe?.(res.statusCode, res.headers, json, ctx);
  json = provider.response(endpoint, json);
  ctx.upstream = { status: res.statusCode, json, stream: null };
  recordUsage(ctx, json);
  enforceBudget(ctx, json, d.countTokens);
}

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
  // The status rides on the cause (logs and the resilience policy only, never the client).
  const cause: UpstreamStatusCause = { upstreamStatus: status };
  if (status === 429) {
    const ra = headers['retry-after'];
    return new GatehouseError(
      'GH_ERR_UPSTREAM_RATE_LIMITED',
      typeof ra === 'string' ? { cause, headers: { 'retry-after': ra } } : { cause },
    );
  }
  if (status === 400 || status === 413 || status === 422)
    return new GatehouseError('GH_ERR_UPSTREAM_REJECTED', { cause });
  return new GatehouseError('GH_ERR_UPSTREAM_ERROR', { cause });
}
