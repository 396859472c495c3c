import { Agent, errors, request } from 'undici';
import type { ClientTlsConfig } from '../../config/schema/telemetry.js';
import { clientTls } from '../tls.js';
import { SinkError } from './types.js';

/**
 * One HTTP POST of a batch, shared by the Splunk HEC and Elasticsearch sinks. Retrying is the
 * sender loop's job (with backoff); this only classifies: 2xx accepted, 400/413/422 refused for
 * good, anything else (network errors included) retryable.
 */
const REFUSED = new Set([400, 413, 422]);

export interface HttpBatchClient {
  post(body: Buffer, contentType: string): Promise<{ status: number; text: string }>;
  close(): Promise<void>;
}

export function createHttpBatchClient(opts: {
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
  tls: ClientTlsConfig | undefined;
  secret: (ref: string) => string;
}): HttpBatchClient {
  const agent = new Agent({
    connect: { ...clientTls(opts.tls, opts.secret), timeout: opts.timeoutMs },
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
    connections: 4,
  });
  return {
    async post(body, contentType) {
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(opts.url, {
          method: 'POST',
          dispatcher: agent,
          headers: { ...opts.headers, 'content-type': contentType },
          body,
        });
      } catch (err) {
        const code =
          err instanceof errors.UndiciError ? err.code : ((err as NodeJS.ErrnoException).code ?? 'error');
        throw new SinkError(`request failed (${code})`, true);
      }
      // Bodies are small acknowledgements; cap what is kept in memory anyway.
      const text = (await res.body.text()).slice(0, 1_048_576);
      const s = res.statusCode;
      if (s >= 200 && s < 300) return { status: s, text };
      // Only a refusal of the content itself is final; a bad token or URL (401/403/404) is an
      // operator error to fix, and the events wait in the spool until then.
      throw new SinkError(`receiver answered ${s}`, !REFUSED.has(s), s);
    },
    async close() {
      await agent.close();
    },
  };
}
