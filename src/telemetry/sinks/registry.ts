import type { SinkConfig, SinkKind } from '../../config/schema/telemetry.js';
import { elasticsearchSink } from './elasticsearch.js';
import { fileSink } from './file.js';
import { splunkHecSink } from './splunk-hec.js';
import { stdoutSink } from './stdout.js';
import { syslogSink } from './syslog.js';
import type { Sink, SinkDeps, SinkFactory } from './types.js';

/** Every sink kind, one factory each; the config's discriminated union is the key. */
export const SINKS: { readonly [K in SinkKind]: SinkFactory<K> } = {
  stdout: stdoutSink,
  file: fileSink,
  splunk_hec: splunkHecSink,
  elasticsearch: elasticsearchSink,
  syslog: syslogSink,
};

export function createSink(cfg: SinkConfig, deps: SinkDeps): Sink {
  return (SINKS[cfg.kind] as SinkFactory<SinkKind>)(cfg as never, deps);
}
