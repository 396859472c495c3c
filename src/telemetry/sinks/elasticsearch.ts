import { bufferHead } from '../audit/line.js';
import { createHttpBatchClient } from './http-batch.js';
import { type SendResult, SinkError, type SinkFactory } from './types.js';

interface BulkItem {
  readonly status?: number;
}
interface BulkResponse {
  readonly errors?: boolean;
  readonly items?: ReadonlyArray<Record<string, BulkItem>>;
}

/**
 * Elasticsearch `_bulk` with `create` operations keyed by the event id: a batch sent again after a
 * partial failure answers 409 for what was already indexed, so retries never duplicate events.
 * Items refused with a 4xx other than 409/429 (a mapping conflict, say) go to the dead-letter file.
 */
const NEWLINE = Buffer.from('\n');

export const elasticsearchSink: SinkFactory<'elasticsearch'> = (cfg, deps) => {
  const headers: Record<string, string> = {};
  if (cfg.apiKey !== undefined) headers.authorization = `ApiKey ${deps.secret(cfg.apiKey)}`;
  else if (cfg.username !== undefined && cfg.password !== undefined)
    headers.authorization = `Basic ${Buffer.from(`${cfg.username}:${deps.secret(cfg.password)}`).toString('base64')}`;
  const client = createHttpBatchClient({
    url: `${cfg.url.replace(/\/+$/, '')}/_bulk`,
    headers,
    timeoutMs: cfg.timeoutMs,
    tls: cfg.tls,
    secret: deps.secret,
  });
  const index = JSON.stringify(cfg.index);
  return {
    name: cfg.name,
    kind: 'elasticsearch',
    remote: true,
    async send(lines): Promise<SendResult> {
      const parts: Buffer[] = [];
      for (const line of lines)
        parts.push(
          Buffer.from(`{"create":{"_index":${index},"_id":${JSON.stringify(bufferHead(line).id)}}}\n`),
          line,
          NEWLINE,
        );
      const res = await client.post(Buffer.concat(parts), 'application/x-ndjson');
      let parsed: BulkResponse;
      try {
        parsed = JSON.parse(res.text) as BulkResponse;
      } catch {
        throw new SinkError('bulk answer is not JSON', true);
      }
      if (parsed.errors !== true) return { rejected: [] };
      const rejected: Buffer[] = [];
      let retry = false;
      (parsed.items ?? []).forEach((item, i) => {
        const status = Object.values(item)[0]?.status ?? 500;
        if ((status >= 200 && status < 300) || status === 409) return;
        if (status === 429 || status >= 500) retry = true;
        else if (lines[i] !== undefined) rejected.push(lines[i]);
      });
      if (retry) throw new SinkError('bulk items must be retried', true);
      return { rejected };
    },
    close: () => client.close(),
  };
};
