import { request } from 'undici';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import { readBounded } from '../read-bounded.js';

/** An OAuth access token, refreshed before it expires, shared by every request of the deployment. */
export interface TokenSource {
  token(): Promise<string>;
}

/** Refresh this long before the provider's expiry, so a token never expires mid-request. */
const EARLY_MS = 5 * 60_000;
const TOKEN_TIMEOUT_MS = 10_000;

/**
 * POSTs a form to a token endpoint (Entra ID client credentials, Google's JWT-bearer grant) and
 * caches the answer. One request in flight at a time: concurrent callers wait for it. A failure is
 * GH_ERR_PROVIDER_AUTH_FAILED; the endpoint's answer is never echoed (it may hold a secret).
 */
export function formTokenSource(url: string, form: () => Promise<Record<string, string>>): TokenSource {
  let cached: { value: string; until: number } | null = null;
  let inflight: Promise<string> | null = null;
  const fetchToken = async (): Promise<string> => {
    try {
      const res = await request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams(await form()).toString(),
        signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
      });
      const buf = await readBounded(res.body, 64 * 1024, AbortSignal.timeout(TOKEN_TIMEOUT_MS));
      if (res.statusCode !== 200) throw new Error(`token endpoint answered ${res.statusCode}`);
      const json = JSON.parse(buf.toString('utf8')) as { access_token?: unknown; expires_in?: unknown };
      if (typeof json.access_token !== 'string' || json.access_token === '')
        throw new Error('token endpoint answered without access_token');
      const ttl = Number(json.expires_in);
      const lifeMs = Number.isFinite(ttl) && ttl > 0 ? ttl * 1000 : 3_600_000;
      cached = { value: json.access_token, until: Date.now() + Math.max(lifeMs - EARLY_MS, lifeMs / 2) };
      return json.access_token;
    } catch (err) {
      throw new GatehouseError('GH_ERR_PROVIDER_AUTH_FAILED', { cause: err });
    }
  };
  return {
    token: () => {
      if (cached !== null && Date.now() < cached.until) return Promise.resolve(cached.value);
      inflight ??= fetchToken().finally(() => {
        inflight = null;
      });
      return inflight;
    },
  };
}
