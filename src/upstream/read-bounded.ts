import { GatehouseError } from '../errors/gatehouse-error.js';

/** Reads a body up to `max` bytes; past that the body is destroyed and the request fails. */
export async function readBounded(
  body: AsyncIterable<Buffer> & { destroy?: (e?: Error) => void },
  max: number,
  signal: AbortSignal,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    size += c.length;
    if (size > max) {
      body.destroy?.();
      throw new GatehouseError('GH_ERR_UPSTREAM_RESPONSE_TOO_LARGE');
    }
    chunks.push(c);
    if (signal.aborted) {
      // A half-read answer is not an answer: the abort's reason (timeout, client gone) is the failure.
      body.destroy?.();
      throw signal.reason;
    }
  }
  return Buffer.concat(chunks, size);
}
