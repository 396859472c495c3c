import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { GatehouseError, toGatehouseError } from '../errors/gatehouse-error.js';
import { type ClientAddressResolver, compileClientAddress } from '../formats/client-address.js';
import type { Endpoint } from '../formats/provider.js';
import { newRequestId, traceFrom } from '../formats/trace.js';
import type { BuiltPipeline } from './build.js';
import { blankRequestState, type RequestContext } from './context.js';
import type { Handler, HandlerDef } from './feature.js';
import { INGRESS_WIRE, type IngressWire } from './ingress.js';
import { routeOf } from './require.js';
import type { Runtime } from './runtime.js';

interface PathRoute {
  readonly method: string;
  readonly endpoint: Endpoint;
  /** Answered by a feature's handler after the edge stages; without one, by the route's stages. */
  readonly handler?: Handler;
  /** Another API's wire format, translated to and from `endpoint` (src/pipeline/ingress.ts). */
  readonly wire?: IngressWire;
}

/** The data plane: answered by the route's stages and the upstream. */
const MODEL_ROUTES: Readonly<Record<string, PathRoute>> = {
  '/v1/chat/completions': { method: 'POST', endpoint: 'chat' },
  '/v1/completions': { method: 'POST', endpoint: 'completions' },
  '/v1/embeddings': { method: 'POST', endpoint: 'embeddings' },
  // Anthropic Messages clients (Claude Code, @anthropic-ai/sdk): the same chat pipeline.
  '/v1/messages': { method: 'POST', endpoint: 'chat', wire: 'anthropic' },
};

/** Status recorded for a request whose client went away before the answer (nginx's convention). */
export const CLIENT_CLOSED = 499;

type Headers = Readonly<Record<string, string>>;

/**
 * How answers reach the client (src/http/, passed in by the composition root): the runner decides
 * what to answer, delivery how to write it, so the pipeline imports no HTTP writer.
 */
export interface Delivery {
  /** Writes the inspected upstream answer, whole or streamed. */
  deliver(ctx: RequestContext, base: Headers, log: Logger): Promise<void>;
  sendJson(ctx: RequestContext, base: Headers, status: number, body: string): void;
  /** A JSON error before the headers; a terminal SSE error event after a stream began. */
  sendError(ctx: RequestContext, base: Headers, err: GatehouseError): void;
  /** A web-standard `Response` a handler returned (the MCP endpoint's), streamed as it comes. */
  sendWeb(ctx: RequestContext, base: Headers, out: Response): Promise<void>;
}

export interface Runner {
  /** Settles once the request is fully done, completion stages (settle, record) included. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/**
 * The per-request runner: edge stages, then the route's prebuilt stages, then delivery; completion
 * stages always run. It never changes when features add stages.
 */
export function createRunner(
  rt: Runtime,
  pipeline: BuiltPipeline,
  base: Headers,
  delivery: Delivery,
  handlers: readonly HandlerDef[],
  /** The client a PROXY protocol header named for this connection (src/http/proxy-protocol.ts). */
  proxiedSource: (socket: Socket) => string | null = () => null,
): Runner {
  const { deliver, sendJson, sendError, sendWeb } = delivery;
  const { edge, completion } = pipeline;
  const log = rt.logger;
  // Configs built by hand in benches and stage tests may lack the section: no trusted proxy then.
  const clientAddress = compileClientAddress(rt.config.proxy ?? { trusted: [], maxHops: 16 });
  // Every path, built once: the data plane, then each feature's endpoints (exact, or a prefix
  // followed by one path segment).
  const exact = new Map<string, PathRoute>(Object.entries(MODEL_ROUTES));
  const prefixed: Array<readonly [string, PathRoute]> = [];
  for (const h of handlers) {
    const r: PathRoute = { method: h.method, endpoint: h.endpoint, handler: h.create(rt) };
    if (h.param === true) prefixed.push([h.path, r]);
    else if (exact.has(h.path)) throw new Error(`endpoint ${h.path}: registered twice`);
    else exact.set(h.path, r);
  }
  const resolve = (path: string): { r: PathRoute | undefined; param: string | null } => {
    const r = exact.get(path);
    if (r !== undefined) return { r, param: null };
    for (const [prefix, pr] of prefixed) {
      if (!path.startsWith(prefix)) continue;
      const param = decodeSegment(path.slice(prefix.length));
      if (param !== null) return { r: pr, param };
    }
    return { r: undefined, param: null };
  };

  const finish = async (ctx: RequestContext) => {
    for (const s of completion) {
      try {
        const r = s(ctx);
        if (r !== undefined) await r;
      } catch (err) {
        log.error({ err, request_id: ctx.requestId }, 'completion stage failed');
      }
    }
  };

  const run = async (ctx: RequestContext, handler: Handler | undefined, param: string | null) => {
    try {
      for (const s of edge) {
        const r = s(ctx);
        if (r !== undefined) await r;
      }
      if (handler !== undefined) {
        const out = await handler(ctx, param);
        if (out instanceof Response) await sendWeb(ctx, base, out);
        else sendJson(ctx, base, 200, JSON.stringify(out));
        return;
      }
      for (const s of routeOf(ctx).stages) {
        const r = s(ctx);
        if (r !== undefined) await r;
      }
      await deliver(ctx, base, log);
    } catch (err) {
      const ge = ctx.clientAborted
        ? new GatehouseError('GH_ERR_CLIENT_CLOSED', { cause: err })
        : toGatehouseError(err);
      if (ge.code === 'GH_ERR_INTERNAL') log.error({ err, request_id: ctx.requestId }, 'internal error');
      // Release the upstream at once (no GPU time for an answer nobody reads).
      if (!ctx.abort.signal.aborted) ctx.abort.abort(ge);
      if (ctx.clientAborted) {
        ctx.error = ge;
        ctx.status = CLIENT_CLOSED;
      } else sendError(ctx, base, ge);
    } finally {
      await finish(ctx);
    }
  };

  return {
    handle(req, res) {
      // Node sets `url` on every request a server emits; '' resolves to no route (404).
      const url = req.url ?? '';
      const q = url.indexOf('?');
      const path = q === -1 ? url : url.slice(0, q);
      const { r, param } = resolve(path);
      const ctx = createContext(req, res, r?.endpoint ?? 'models', clientAddress, proxiedSource);
      if (r?.wire !== undefined) INGRESS_WIRE.set(ctx, r.wire);
      if (r === undefined || r.method !== req.method) {
        const err = new GatehouseError(r === undefined ? 'GH_ERR_NOT_FOUND' : 'GH_ERR_METHOD_NOT_ALLOWED');
        if (r !== undefined) ctx.responseHeaders.allow = r.method;
        ctx.responseHeaders['x-request-id'] = ctx.requestId;
        sendError(ctx, base, err);
        return finish(ctx);
      }
      res.on('close', () => {
        if (!res.writableFinished) {
          ctx.clientAborted = true;
          if (!ctx.abort.signal.aborted) ctx.abort.abort(new GatehouseError('GH_ERR_CLIENT_CLOSED'));
        }
      });
      return run(ctx, r.handler, param);
    },
  };
}

/** One decoded path segment, or null (a 404) when it is empty, nested or badly encoded. */
function decodeSegment(seg: string): string | null {
  if (seg === '' || seg.includes('/')) return null;
  try {
    return decodeURIComponent(seg);
  } catch {
    return null;
  }
}

function createContext(
  req: IncomingMessage,
  res: ServerResponse,
  endpoint: Endpoint,
  clientAddress: ClientAddressResolver,
  proxiedSource: (socket: Socket) => string | null,
): RequestContext {
  const socket = req.socket as TLSSocket;
  const addr = clientAddress(
    socket.remoteAddress ?? '',
    req.headers['x-forwarded-for'],
    proxiedSource(socket),
  );
  // Only a certificate that chained to the configured client CA counts as an identity.
  const peer = socket.encrypted && socket.authorized ? socket.getPeerCertificate() : null;
  const tp = req.headers.traceparent;
  return {
    requestId: newRequestId(),
    trace: traceFrom(typeof tp === 'string' ? tp : undefined),
    req,
    res,
    start: performance.now(),
    startedAt: Date.now(),
    endpoint,
    abort: new AbortController(),
    sourceIp: addr.client,
    peerIp: addr.peer,
    userAgent: req.headers['user-agent'] ?? '',
    peerCertificate: peer !== null && Object.keys(peer).length > 0 ? peer : null,
    identity: null,
    route: null,
    alias: null,
    body: null,
    ...blankRequestState(),
    flags: [],
  };
}
