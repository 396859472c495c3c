import { createMcpHandler, ProtocolError, Server } from '@modelcontextprotocol/server';
import type { ErrorCode } from '../errors/catalog.js';
import { ERRORS } from '../errors/catalog.js';
import { GatehouseError, toGatehouseError } from '../errors/gatehouse-error.js';
import type { Identity } from '../identity.js';
import type { RequestContext } from '../pipeline/context.js';
import type { Allowlist } from './allowlist.js';
import { ApprovalPending } from './approvals/approvals.js';
import type { Caller } from './call.js';
import type { Catalog } from './catalog.js';

const SERVER_INFO = { name: 'gatehouse', version: '0.1.0' };
/** JSON-RPC codes: bad input is "invalid params"; refusals and upstream failures are server errors. */
const INVALID_PARAMS = -32602;
const REFUSED = -32001;
const UPSTREAM = -32603;
/** Distinct identities whose tool list is cached (bounded; cleared when full). */
const LIST_CACHE_MAX = 10_000;

function jsonRpcError(ge: GatehouseError, requestId: string): ProtocolError {
  const status = ERRORS[ge.code].status;
  const rpc =
    status === 400 || status === 404 || status === 422 ? INVALID_PARAMS : status >= 500 ? UPSTREAM : REFUSED;
  const data: Record<string, unknown> = { code: ge.code, status, request_id: requestId };
  if (ge instanceof ApprovalPending) {
    data.approval_id = ge.approvalId;
    if (ge.approvalUrl !== null) data.approval_url = ge.approvalUrl;
  }
  return new ProtocolError(rpc, ge.message, data);
}

/**
 * The `/mcp` endpoint: one MCP server (Streamable HTTP, stateless; the SDK negotiates 2026-07-28 or
 * the 2025 revisions) that aggregates the configured upstreams. Each HTTP request gets a fresh
 * low-level `Server` bound to the caller the edge stages authenticated; only `tools` is offered.
 * Nothing of the inbound request but the JSON-RPC body and the MCP protocol headers reaches the
 * SDK, so an agent's credential cannot travel further.
 */
export function createMcpEndpoint(deps: {
  readonly catalog: Catalog;
  readonly allowlist: Allowlist;
  readonly call: Caller;
  readonly maxBodyBytes: number;
}) {
  const listCache = new Map<string, { version: number; tools: Record<string, unknown>[] }>();
  const listFor = (id: Identity) => {
    const key = `${id.consumer}\u0000${id.agent ?? ''}\u0000${id.method}\u0000${id.scopes.join(' ')}`;
    const v = deps.catalog.version();
    const hit = listCache.get(key);
    if (hit !== undefined && hit.version === v) return hit.tools;
    const names = deps.allowlist(id);
    const tools: Record<string, unknown>[] = [];
    for (const e of deps.catalog.entries.values())
      if (e.status === 'ok' && e.listed !== null && names.has(e.name)) tools.push(e.listed);
    if (listCache.size >= LIST_CACHE_MAX) listCache.clear();
    listCache.set(key, { version: v, tools });
    return tools;
  };
  const contexts = new WeakMap<object, RequestContext>();

  const serverFor = (ctx: RequestContext): Server => {
    const s = new Server(SERVER_INFO, { capabilities: { tools: { listChanged: false } } });
    const identity = ctx.identity;
    if (identity === null) throw new GatehouseError('GH_ERR_AUTH_MISSING');
    s.setRequestHandler('tools/list', async () => ({ tools: listFor(identity) as never }));
    s.setRequestHandler('tools/call', async (req) => {
      try {
        const r = await deps.call({
          identity,
          requestId: ctx.requestId,
          traceId: ctx.trace.traceId,
          name: req.params.name,
          args: req.params.arguments,
          meta: req.params._meta,
          signal: ctx.abort.signal,
        });
        return r as never;
      } catch (err) {
        throw jsonRpcError(toGatehouseError(err), ctx.requestId);
      }
    });
    return s;
  };

  const handler = createMcpHandler(
    (mc) => {
      const holder = mc.authInfo?.extra?.holder;
      const ctx = holder !== undefined && holder !== null ? contexts.get(holder) : undefined;
      if (ctx === undefined) throw new Error('MCP request without its gateway context');
      return serverFor(ctx);
    },
    { responseMode: 'auto', legacy: 'stateless', maxRequestBodySize: deps.maxBodyBytes, keepAliveMs: 0 },
  );

  return {
    async handle(ctx: RequestContext): Promise<Response> {
      const h = new Headers({
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      });
      for (const name of ['mcp-protocol-version', 'mcp-session-id', 'last-event-id']) {
        const v = ctx.req.headers[name];
        if (typeof v === 'string') h.set(name, v);
      }
      const holder = {};
      contexts.set(holder, ctx);
      const request = new Request('http://gatehouse.internal/mcp', {
        method: 'POST',
        headers: h,
        body: JSON.stringify(ctx.body ?? {}),
        signal: ctx.abort.signal,
      });
      return handler.fetch(request, {
        parsedBody: ctx.body,
        authInfo: { token: '', clientId: ctx.identity?.consumer ?? '', scopes: [], extra: { holder } },
      });
    },
    close: () => handler.close(),
  };
}

export type McpEndpoint = ReturnType<typeof createMcpEndpoint>;
export type { ErrorCode };
