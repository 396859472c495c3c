import type { RuntimeRoute } from '../../pipeline/runtime.js';
import { readBounded } from '../read-bounded.js';

/**
 * GET on the route's own keep-alive pool (its TLS settings, pins and credentials apply), bounded in
 * time and size. Anything but a 200 is a failure.
 */
export async function fetchText(
  route: RuntimeRoute,
  path: string,
  timeoutMs: number,
  max: number,
): Promise<string> {
  const signal = AbortSignal.timeout(timeoutMs);
  const res = await route.dispatcher.request({
    origin: route.origin,
    path,
    method: 'GET',
    headers: { ...route.upstreamHeaders, accept: 'application/json, text/plain' },
    signal,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  if (res.statusCode !== 200) {
    // dump() discards up to a small limit and frees the socket; destroy() would raise an abort error.
    await res.body.dump().catch(() => {});
    throw new Error(`GET ${path} answered ${res.statusCode}`);
  }
  return (await readBounded(res.body, max, signal)).toString('utf8');
}
