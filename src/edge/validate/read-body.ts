import type { IncomingMessage } from 'node:http';
import { GatehouseError } from '../../errors/gatehouse-error.js';

/**
 * Reads the request body up to `maxBytes`, refusing as soon as the cap is crossed (a declared
 * content-length over the cap is refused before a byte is read). The timer bounds a slow body.
 */
export function readBody(req: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) {
    return Promise.reject(new GatehouseError('GH_ERR_BODY_TOO_LARGE'));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (err: GatehouseError | null) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (err) {
        // Stop reading; the connection is closed after the error response.
        req.pause();
        reject(err);
      } else
        resolve(chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) done(new GatehouseError('GH_ERR_BODY_TOO_LARGE'));
      else chunks.push(c);
    };
    const onEnd = () => done(null);
    const onError = (e: Error) => done(new GatehouseError('GH_ERR_BODY_TIMEOUT', { cause: e }));
    const onAborted = () => done(new GatehouseError('GH_ERR_BODY_TIMEOUT'));
    const timer = setTimeout(() => done(new GatehouseError('GH_ERR_BODY_TIMEOUT')), timeoutMs);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}
