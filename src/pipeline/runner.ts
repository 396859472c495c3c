import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Runtime } from '../config/runtime.js';
import { createSessionHandlers, SESSION_ROUTES } from '../edge/auth/sessions-handler.js';
import { newRequestId, traceFrom } from '../edge/correlate.js';
import { deliver } from '../edge/deliver.js';
import { sendError, sendJson } from '../edge/respond.js';
import { GatehouseError, toGatehouseError } from '../errors/gatehouse-error.js';
import { mayUseAlias } from '../identity.js';
import type { Endpoint } from '../upstream/providers/types.js';
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

/** Status recorded for a request whose client went away before the answer (nginx's convention). */
export const CLIENT_CLOSED = 499;

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
  base: Readonly<Record<string, string>>,
): Runner {
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

  const run = async (ctx: RequestContext, action: SessionAction | undefined) => {
    try {
      for (const s of edge) {
        const r = s(ctx);
        if (r !== undefined) await r;
      }
      if (ctx.endpoint === 'models') {
        sendModels(ctx);
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
      await deliver(ctx, base);
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

  const sendModels = (ctx: RequestContext) => {
    const data = [];
    for (const alias of rt.routes.keys()) {
      if (ctx.identity === null || mayUseAlias(ctx.identity, alias))
        data.push({ id: alias, object: 'model', created: 0, owned_by: 'gatehouse' });
    }
    sendJson(ctx, base, 200, JSON.stringify({ object: 'list', data }));
  };

  return {
    handle(req, res) {
      const q = req.url!.indexOf('?');
      const path = q === -1 ? req.url! : req.url!.slice(0, q);
      const r = ROUTES[path];
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
      return run(ctx, r.action);
    },
  };
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
