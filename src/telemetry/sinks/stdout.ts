import type { Writable } from 'node:stream';
import { ACCEPTED, joinLines, type Sink, type SinkFactory } from './types.js';

/** JSON lines on standard output (or any writable, for tests), for a log shipper to collect. */
export function createStdoutSink(name: string, out: Writable = process.stdout): Sink {
  return {
    name,
    kind: 'stdout',
    remote: false,
    async send(lines) {
      if (lines.length > 0) out.write(joinLines(lines));
      return ACCEPTED;
    },
    async close() {},
  };
}

export const stdoutSink: SinkFactory<'stdout'> = (cfg) => createStdoutSink(cfg.name);
