import { GatehouseError } from '../errors/gatehouse-error.js';
import type { RequestContext } from '../pipeline/context.js';
import { type Caller, IDEMPOTENCY_META_KEY } from './call.js';

/**
 * `POST /v1/tools/{server.tool}`: the same call for agents that speak plain HTTP instead of MCP. The
 * JSON body is the arguments object; an `Idempotency-Key` header names the client's key for a
 * write tool. The answer is the sanitised tool result (`content`, `structuredContent`, `isError`);
 * a refusal is the catalog's error shape with its status (approval pending: 403 with
 * `x-gatehouse-approval-id` and `x-gatehouse-approval-url`; limits: 429 with `retry-after`).
 * Every control runs in `call.ts`, exactly as for `tools/call` on `/mcp`.
 */
export function createToolRoute(call: Caller) {
  return async (ctx: RequestContext, name: string | null): Promise<object> => {
    const identity = ctx.identity;
    if (identity === null) throw new GatehouseError('GH_ERR_AUTH_MISSING');
    const key = ctx.req.headers['idempotency-key'];
    return call({
      identity,
      requestId: ctx.requestId,
      traceId: ctx.trace.traceId,
      name: name ?? '',
      args: ctx.body ?? {},
      meta: typeof key === 'string' ? { [IDEMPOTENCY_META_KEY]: key } : undefined,
      signal: ctx.abort.signal,
    });
  };
}
