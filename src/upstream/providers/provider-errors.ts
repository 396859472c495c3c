import type { ErrorCode } from '../../errors/catalog.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';

/** What a provider's error says, in the catalog's terms. */
export type ProviderFailure = 'rate_limited' | 'rejected' | 'content_filter' | 'error';

const CODES: Readonly<Record<ProviderFailure, ErrorCode>> = {
  rate_limited: 'GH_ERR_UPSTREAM_RATE_LIMITED',
  rejected: 'GH_ERR_UPSTREAM_REJECTED',
  content_filter: 'GH_ERR_PROVIDER_CONTENT_FILTER',
  error: 'GH_ERR_UPSTREAM_ERROR',
};

/** A catalog error; a rate limit carries `retry-after` (whole seconds) when the provider said when. */
export function providerError(failure: ProviderFailure, retryAfterSeconds?: number): GatehouseError {
  if (failure === 'rate_limited' && retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds))
    return new GatehouseError(CODES[failure], {
      headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    });
  return new GatehouseError(CODES[failure]);
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const one = (h: Headers, name: string): string | undefined => {
  const v = h[name];
  return typeof v === 'string' ? v : undefined;
};

/** `retry-after` (seconds) or Azure's `retry-after-ms`, whichever the provider sent. */
export function retryAfterSeconds(h: Headers): number | undefined {
  const ms = Number(one(h, 'retry-after-ms'));
  if (one(h, 'retry-after-ms') !== undefined && Number.isFinite(ms)) return ms / 1000;
  const s = one(h, 'retry-after');
  if (s === undefined) return undefined;
  const n = Number(s);
  if (Number.isFinite(n)) return n;
  const at = Date.parse(s);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - Date.now()) / 1000);
}

/** The HTTP status a provider answered with, in the catalog's terms (429 and 400-class told apart). */
export function failureOfStatus(status: number): ProviderFailure {
  if (status === 429) return 'rate_limited';
  if (status === 400 || status === 413 || status === 422) return 'rejected';
  return 'error';
}

/** The error object of a JSON error body, if any (bounded: the caller read at most 64 KiB). */
export function errorBody(body: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(body);
    if (Array.isArray(v) && v.length > 0 && typeof v[0] === 'object' && v[0] !== null)
      return v[0] as Record<string, unknown>; // Vertex may wrap its error in an array
    if (v !== null && typeof v === 'object') return v as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return {};
}
