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
  ctx.res.writeHead(status, {
    ...base,
    ...ctx.responseHeaders,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
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
