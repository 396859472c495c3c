import { hostname } from 'node:os';
import { bufferHead } from '../audit/line.js';
import { createHttpBatchClient } from './http-batch.js';
import { ACCEPTED, type SinkFactory } from './types.js';

/**
 * Splunk HTTP Event Collector: one POST per batch of concatenated event envelopes
 * (`/services/collector/event`). `time` is the event's own timestamp, so spooled events are indexed
 * at the time they happened, not when the sink came back.
 */
const TAIL = Buffer.from('}\n');

export const splunkHecSink: SinkFactory<'splunk_hec'> = (cfg, deps) => {
  const url = /\/services\/collector(\/event)?\/?$/.test(new URL(cfg.url).pathname)
    ? cfg.url
    : `${cfg.url.replace(/\/+$/, '')}/services/collector/event`;
  const client = createHttpBatchClient({
    url,
    headers: { authorization: `Splunk ${deps.secret(cfg.token)}` },
    timeoutMs: cfg.timeoutMs,
    tls: cfg.tls,
    secret: deps.secret,
  });
  // Everything but `time` and `event` is the same for every event: serialise it once.
  const meta = Buffer.from(
    `,${JSON.stringify({
      host: hostname(),
      source: cfg.source,
      sourcetype: cfg.sourcetype,
      ...(cfg.index !== undefined && { index: cfg.index }),
    }).slice(1, -1)},"event":`,
  );
  return {
    name: cfg.name,
    kind: 'splunk_hec',
    remote: true,
    async send(lines) {
      // Bytes in, bytes out: each envelope is the event's own bytes between two small buffers.
      const parts: Buffer[] = [];
      for (const line of lines)
        parts.push(Buffer.from(`{"time":${(bufferHead(line).time / 1000).toFixed(3)}`), meta, line, TAIL);
      await client.post(Buffer.concat(parts), 'application/json');
      return ACCEPTED;
    },
    close: () => client.close(),
  };
};
