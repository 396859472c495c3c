import {
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  createMcpHandler,
  inputRequired,
  inputResponse,
  ProtocolError,
  Server,
} from '@modelcontextprotocol/server';
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
/** The `inputRequests` key of the approval's URL elicitation (2026-07-28 multi-round-trip). */
const APPROVAL_INPUT = 'gatehouse_approval';

/** What the SDK hands a request handler (the part read here). */
interface HandlerCtx {
  readonly mcpReq: {
    readonly envelope?: Readonly<Record<string, unknown>>;
    readonly inputResponses?: Record<string, unknown>;
  };
}

/** JSON-RPC code of the 2025-11-25 URL-elicitation-required error. */
const URL_ELICITATION_REQUIRED = -32042;

/**
 * A pending approval as a URL-mode elicitation (MCP elicitation `mode: "url"`) when `approvals.url`
 * is set, so the user is sent to the approval page:
 * - 2026-07-28 clients that declare `elicitation.url` on the request: an `input_required` result
 *   (the SDK client opens the page through its elicitation handler, then retries the same call).
 *   Asked once: a retry after the user answered that is still pending gets the coded error, so a
 *   client never loops on an approver who has not acted yet.
 * - 2025-11-25 clients: the `-32042` error, whose data also carries the coded fields. That revision
 *   declares capabilities only at `initialize`, which this stateless endpoint never sees again,
 *   so it is sent only when the operator says every agent supports URL mode
 *   (`approvals.legacyUrlElicitation`).
 * Otherwise null: the coded pending error.
 */
function elicitation(
  p: ApprovalPending,
  ctx: HandlerCtx,
  server: Server,
  tool: string,
  coded: Record<string, unknown>,
  legacyUrl: boolean,
) {
  if (p.approvalUrl === null) return null;
  const message = `The tool call ${tool} needs an approval (${p.approvalId}). Open the page to review it; retry the same call once it is approved.`;
  const modern = ctx.mcpReq.envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined;
  if (modern === undefined) {
    if (server.getClientCapabilities()?.elicitation?.url === undefined && !legacyUrl) return null;
    const elicitations = [{ mode: 'url', message, url: p.approvalUrl, elicitationId: p.approvalId }];
    throw new ProtocolError(URL_ELICITATION_REQUIRED, message, { elicitations, ...coded });
  }
  if (modern.elicitation?.url === undefined) return null;
  if (inputResponse(ctx.mcpReq.inputResponses, APPROVAL_INPUT).kind !== 'missing') return null;
  return inputRequired({
    inputRequests: { [APPROVAL_INPUT]: inputRequired.elicitUrl({ message, url: p.approvalUrl }) },
  });
}

/** Distinct identities whose tool list is cached (bounded; cleared when full). */
const LIST_CACHE_MAX = 10_000;

/** The coded fields of a refusal: `data` of its JSON-RPC error. */
function errorData(ge: GatehouseError, requestId: string): Record<string, unknown> {
  const data: Record<string, unknown> = {
    code: ge.code,
    status: ERRORS[ge.code].status,
    request_id: requestId,
  };
  if (ge instanceof ApprovalPending) {
    data.approval_id = ge.approvalId;
    if (ge.approvalUrl !== null) data.approval_url = ge.approvalUrl;
  }
  return data;
}

function jsonRpcError(ge: GatehouseError, requestId: string): ProtocolError {
  const status = ERRORS[ge.code].status;
  const rpc =
    status === 400 || status === 404 || status === 422 ? INVALID_PARAMS : status >= 500 ? UPSTREAM : REFUSED;
  return new ProtocolError(rpc, ge.message, errorData(ge, requestId));
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
  /** Send the 2025-11-25 URL-elicitation error to every 2025 client (approvals.legacyUrlElicitation). */
  readonly legacyUrlElicitation: boolean;
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
    s.setRequestHandler('tools/call', async (req, hctx) => {
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
        if (err instanceof ApprovalPending) {
          const coded = errorData(err, ctx.requestId);
          const ask = elicitation(
            err,
            hctx as HandlerCtx,
            s,
            req.params.name,
            coded,
            deps.legacyUrlElicitation,
          );
          if (ask !== null) return ask as never;
        }
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
      // The protocol headers only (2026-07-28 cross-checks Mcp-Method / Mcp-Name against the body).
      for (const name of [
        'mcp-protocol-version',
        'mcp-session-id',
        'last-event-id',
        'mcp-method',
        'mcp-name',
      ]) {
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
