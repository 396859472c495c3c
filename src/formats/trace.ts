/**
 * Request ids and W3C trace context (https://www.w3.org/TR/trace-context/): the formats the runner
 * assigns on arrival and the upstream call sends on, shared here so neither imports the other.
 */
import { randomBytes } from 'node:crypto';

export interface TraceContext {
  readonly traceId: string;
  /** This hop's span, sent upstream as the parent in `traceparent`. */
  readonly spanId: string;
  /** The caller's span when a valid `traceparent` came in. */
  readonly parentSpanId: string | null;
  readonly flags: string;
}

// W3C trace-context: version 00, 32-hex trace id, 16-hex parent id, 2-hex flags; all-zero ids are invalid.
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/**
 * Random ids come from a pooled buffer: one randomBytes call per 256 ids instead of one per request.
 */
const POOL_IDS = 256;
let pool = Buffer.alloc(0);
let offset = 0;
function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    pool = randomBytes(POOL_IDS * 32);
    offset = 0;
  }
  const s = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return s;
}

export function newRequestId(): string {
  return `req_${randomHex(12)}`;
}

/** Continues a valid incoming traceparent, otherwise starts a new trace. */
export function traceFrom(header: string | undefined): TraceContext {
  const [, traceId, parentSpanId, flags] =
    (header === undefined ? null : TRACEPARENT.exec(header.trim())) ?? [];
  if (
    traceId !== undefined &&
    parentSpanId !== undefined &&
    flags !== undefined &&
    traceId !== ZERO_TRACE &&
    parentSpanId !== ZERO_SPAN
  ) {
    return { traceId, parentSpanId, spanId: randomHex(8), flags };
  }
  return { traceId: randomHex(16), parentSpanId: null, spanId: randomHex(8), flags: '01' };
}

export function traceparent(t: TraceContext): string {
  return `00-${t.traceId}-${t.spanId}-${t.flags}`;
}
