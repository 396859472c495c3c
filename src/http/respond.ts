import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody, type GatehouseError } from '../errors/gatehouse-error.js';
import type { RequestContext } from '../pipeline/context.js';

/** Headers on every data-plane response; HSTS is added when the listener is TLS. */
export function baseHeaders(hsts: string | null): Readonly<Record<string, string>> {
  const h: Record<string, string> = {
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  };
  if (hsts !== null) h['strict-transport-security'] = hsts;
  return Object.freeze(h);
}

export function sendJson(
  ctx: RequestContext,
  base: Readonly<Record<string, string>>,
  status: number,
  body: string,
): void {
  ctx.status = status;
  ctx.headersSent = true;
  // A flat [name, value, ...] list for writeHead: no merged object per response. Same precedence as
  // `{ ...base, ...responseHeaders, content-type, content-length }` (a later name replaces an earlier).
  const own = ctx.responseHeaders;
  const flat: Array<string | number> = [];
  for (const k in base)
    if (!(k in own) && k !== 'content-type' && k !== 'content-length') flat.push(k, base[k] as string);
  for (const k in own) if (k !== 'content-type' && k !== 'content-length') flat.push(k, own[k] as string);
  flat.push('content-type', 'application/json', 'content-length', Buffer.byteLength(body));
  ctx.res.writeHead(status, flat as unknown as string[]);
  ctx.res.end(body);
}

/** Before headers: a JSON error. After an SSE stream began: a terminal error event, then [DONE]. */
export function sendError(
  ctx: RequestContext,
  base: Readonly<Record<string, string>>,
  err: GatehouseError,
): void {
  ctx.error = err;
  const res = ctx.res;
  if (res.destroyed || res.writableEnded) {
    ctx.status = err.status;
    return;
  }
  if (ctx.headersSent) {
    // The HTTP status is already 200; the audit event records the error's status.
    ctx.status = err.status;
    res.end(`data: ${errorBody(err, ctx.requestId)}\n\ndata: [DONE]\n\n`);
    return;
  }
  if (err.headers) Object.assign(ctx.responseHeaders, err.headers);
  // A refused body may still be arriving: close the connection rather than drain an attacker's upload.
  // A request that declares no body (a GET answered before its parse completed) keeps its keep-alive.
  if (!ctx.req.complete && mayHaveBody(ctx.req)) ctx.responseHeaders.connection = 'close';
  sendJson(ctx, base, err.status, errorBody(err, ctx.requestId));
}

/** HTTP/1.1 requests carry a body only with `content-length` (non-zero) or `transfer-encoding`. */
function mayHaveBody(req: IncomingMessage): boolean {
  const cl = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (cl !== undefined && cl !== '0');
}

export function writeSse(res: ServerResponse, text: string): Promise<void> | null {
  if (res.write(text)) return null;
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
