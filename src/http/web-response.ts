import type { RequestContext } from '../pipeline/context.js';

/**
 * Writes a web-standard `Response` a feature's handler produced (the MCP SDK's handler answers in
 * that shape) with the data plane's base headers; the body is streamed as it comes (SSE included),
 * and the reader is cancelled when the client goes away.
 */
export async function sendWeb(
  ctx: RequestContext,
  base: Readonly<Record<string, string>>,
  out: Response,
): Promise<void> {
  const headers: Record<string, string> = { ...base, ...ctx.responseHeaders };
  out.headers.forEach((v, k) => {
    headers[k] = v;
  });
  ctx.status = out.status;
  ctx.headersSent = true;
  ctx.res.writeHead(out.status, headers);
  if (out.body === null) {
    ctx.res.end();
    return;
  }
  const reader = out.body.getReader();
  const stop = () => void reader.cancel().catch(() => {});
  ctx.res.once('close', stop);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!ctx.res.write(value)) await new Promise((r) => ctx.res.once('drain', r));
    }
  } finally {
    ctx.res.off('close', stop);
    ctx.res.end();
  }
}
