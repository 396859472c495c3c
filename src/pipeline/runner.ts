import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { Runtime } from '../config/runtime.js';
import { compileRouteAccess } from '../edge/auth/authorize-stage.js';
import { createSessionHandlers, SESSION_ROUTES } from '../edge/auth/sessions-handler.js';
import { GatehouseError, toGatehouseError } from '../errors/gatehouse-error.js';
import type { Endpoint } from '../formats/provider.js';
import { newRequestId, traceFrom } from '../formats/trace.js';
import { mayUseAlias } from '../identity.js';
import type { BuiltPipeline } from './build.js';
import type { RequestContext } from './context.js';

type SessionAction = (typeof SESSION_ROUTES)[number]['handler'];
interface PathRoute {
  readonly method: string;
  readonly endpoint: Endpoint;
  readonly action?: SessionAction;
}

const ROUTES: Readonly<Record<string, PathRoute>> = {
  '/v1/chat/completions': { method: 'POST', endpoint: 'chat' },
  '/v1/completions': { method: 'POST', endpoint: 'completions' },
  '/v1/embeddings': { method: 'POST', endpoint: 'embeddings' },
  '/v1/models': { method: 'GET', endpoint: 'models' },
  ...Object.fromEntries(
    SESSION_ROUTES.map((r): [string, PathRoute] => [
      r.path,
      { method: r.method, endpoint: 'sessions', action: r.handler },
    ]),
  ),
};

/** `GET /v1/models/{id}` (the OpenAI SDK's `models.retrieve`): the id is one path segment, URL-encoded. */
const MODEL_PATH = '/v1/models/';

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
): Runner {
  const { deliver, sendJson, sendError } = delivery;
  const { edge, completion } = pipeline;
  const log = rt.logger;
  const sessions = createSessionHandlers(rt);

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

  const run = async (ctx: RequestContext, action: SessionAction | undefined, modelId: string | null) => {
    try {
      for (const s of edge) {
        const r = s(ctx);
        if (r !== undefined) await r;
      }
      if (ctx.endpoint === 'models') {
        sendModels(ctx, modelId);
        return;
      }
      if (action !== undefined) {
        sendJson(ctx, base, 200, JSON.stringify(await sessions[action](ctx)));
        return;
      }
      for (const s of ctx.route!.stages) {
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

  // Each route's tier rules, compiled once: the list shows only what this caller could actually call.
  const access = [...rt.routes.values()].map((route) => ({ route, may: compileRouteAccess(rt, route) }));
  const callable = (ctx: RequestContext): string[] => {
    const id = ctx.identity;
    if (id === null) return [];
    return access
      .filter(({ route, may }) => mayUseAlias(id, route.alias) && may(ctx, id) === null)
      .map(({ route }) => route.alias);
  };
  const model = (alias: string) => ({ id: alias, object: 'model', created: 0, owned_by: 'gatehouse' });
  const sendModels = (ctx: RequestContext, modelId: string | null) => {
    const aliases = callable(ctx);
    if (modelId === null) {
      sendJson(ctx, base, 200, JSON.stringify({ object: 'list', data: aliases.map(model) }));
      return;
    }
    ctx.alias = modelId.slice(0, 256);
    // Unknown and not-callable get the same 404, so the answer does not reveal which aliases exist.
    if (!aliases.includes(modelId))
      throw new GatehouseError('GH_ERR_UNKNOWN_MODEL', {
        message: `The model '${modelId.slice(0, 128)}' does not exist or you do not have access to it.`,
      });
    sendJson(ctx, base, 200, JSON.stringify(model(modelId)));
  };

  return {
    handle(req, res) {
      const q = req.url!.indexOf('?');
      const path = q === -1 ? req.url! : req.url!.slice(0, q);
      const modelId = path.startsWith(MODEL_PATH) ? decodeSegment(path.slice(MODEL_PATH.length)) : null;
      const r = modelId === null ? ROUTES[path] : ROUTES['/v1/models'];
      const ctx = createContext(req, res, r?.endpoint ?? 'models');
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
      return run(ctx, r.action, modelId);
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

function createContext(req: IncomingMessage, res: ServerResponse, endpoint: Endpoint): RequestContext {
  const socket = req.socket as TLSSocket;
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
    sourceIp: socket.remoteAddress ?? '',
    userAgent: req.headers['user-agent'] ?? '',
    peerCertificate: peer !== null && Object.keys(peer).length > 0 ? peer : null,
    identity: null,
    route: null,
    alias: null,
    body: null,
    stream: false,
    clientWantsUsage: false,
    inputTokens: 0,
    maxOutputTokens: 0,
    upstream: null,
    streamInspectors: [],
    usage: null,
    usageSource: 'none',
    streamedText: '',
    ttftMs: null,
    status: 0,
    error: null,
    headersSent: false,
    clientAborted: false,
    verdicts: [],
    flags: [],
    cost: 0,
    upstreamExtraHeaders: {},
    responseHeaders: {},
  };
}
