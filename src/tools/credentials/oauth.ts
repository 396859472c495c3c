import { GatehouseError } from '../../errors/gatehouse-error.js';

/** Refresh this long before expiry so a token never dies in flight. */
const EARLY_MS = 30_000;
const TOKEN_TIMEOUT_MS = 10_000;

export interface TokenRequest {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly form: Readonly<Record<string, string>>;
}

/**
 * An OAuth token endpoint call (client_secret_basic), cached until shortly before `expires_in`.
 * Concurrent callers share one in-flight fetch. Failures are GH_ERR_TOOL_UNAVAILABLE: the upstream
 * is not called without its credential; the token endpoint's answer stays in the log.
 */
export function cachedToken(
  req: TokenRequest,
  now: () => number = Date.now,
): (signal: AbortSignal) => Promise<string> {
  let cached: { token: string; until: number } | null = null;
  let inflight: Promise<string> | null = null;
  const basic = Buffer.from(
    `${encodeURIComponent(req.clientId)}:${encodeURIComponent(req.clientSecret)}`,
  ).toString('base64');
  const fetchToken = async (): Promise<string> => {
    const res = await fetch(req.tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(req.form).toString(),
      signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
    });
    const body = (await res.json().catch(() => null)) as {
      access_token?: unknown;
      expires_in?: unknown;
    } | null;
    if (!res.ok || body === null || typeof body.access_token !== 'string')
      throw new GatehouseError('GH_ERR_TOOL_UNAVAILABLE', {
        cause: new Error(`token endpoint answered ${res.status}`),
      });
    const ttl = typeof body.expires_in === 'number' ? body.expires_in * 1000 : 300_000;
    cached = { token: body.access_token, until: now() + Math.max(0, ttl - EARLY_MS) };
    return body.access_token;
  };
  return async (signal) => {
    if (cached !== null && cached.until > now()) return cached.token;
    inflight ??= fetchToken().finally(() => {
      inflight = null;
    });
    signal.throwIfAborted();
    return inflight;
  };
}
