import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { SinkConfig, TelemetryConfig } from '../../config/schema/telemetry.js';
import { Spool } from '../spool.js';
import { type ChannelStats, createSpooledChannel, type SinkChannel } from './channel.js';
import { createSink } from './registry.js';

/**
 * The remote sinks' thread: their spools (disk writes and reads) and senders (batching, HTTP/TLS)
 * run here, so the request path only serialises the event and hands the line over.
 * Protocol (main → worker): lines, drain, stats, close; (worker → main): ready, error, stats,
 * drained, closed. See ./worker-hub.ts.
 */
export interface WorkerInit {
  readonly sinks: readonly SinkConfig[];
  readonly spool: TelemetryConfig['spool'];
  /** Secret references already resolved by the main thread (never logged, never sent elsewhere). */
  readonly secrets: Readonly<Record<string, string>>;
}

export type ToWorker =
  | { readonly t: 'lines'; readonly lines: readonly string[] }
  | { readonly t: 'drain'; readonly id: number; readonly timeoutMs: number }
  | { readonly t: 'close' };

export type FromWorker =
  | { readonly t: 'ready'; readonly stats: ChannelStats[] }
  | { readonly t: 'error'; readonly message: string }
  /** `received`: characters (+1 per line) of every line taken so far, for the hub's estimate. */
  | { readonly t: 'stats'; readonly stats: ChannelStats[]; readonly received: number }
  | { readonly t: 'drained'; readonly id: number; readonly ok: boolean }
  | { readonly t: 'closed' };

const STATS_MS = 200;

if (parentPort === null) throw new Error('sink-worker.ts runs only as a worker thread');
const port = parentPort;
const init = workerData as WorkerInit;
const post = (m: FromWorker): void => port.postMessage(m);

let channels: SinkChannel[] = [];
try {
  const secret = (ref: string): string => init.secrets[ref] ?? ref;
  channels = init.sinks.map((cfg) => {
    if (!('batchSize' in cfg)) throw new Error(`sink ${cfg.name} is not a remote sink`);
    const dir = join(init.spool.dir, cfg.name);
    const spool = Spool.open({
      dir,
      maxBytes: init.spool.maxBytes,
      segmentBytes: init.spool.segmentBytes,
      fsync: init.spool.fsync,
    });
    return createSpooledChannel(createSink(cfg, { secret }), spool, {
      batchSize: cfg.batchSize,
      maxBatchBytes: cfg.maxBatchBytes,
      flushIntervalMs: cfg.flushIntervalMs,
      backoffInitialMs: cfg.backoffInitialMs,
      backoffMaxMs: cfg.backoffMaxMs,
      mode: init.spool.mode,
      capacityBytes: init.spool.maxBytes,
      deadLetterPath: join(dir, 'rejected.ndjson'),
    });
  });
  post({ t: 'ready', stats: channels.map((c) => c.stats()) });
} catch (err) {
  post({ t: 'error', message: (err as Error).message });
  process.exit(1);
}

let received = 0;
const snapshot = (): ChannelStats[] => channels.map((c) => c.stats());
const postStats = (): void => post({ t: 'stats', stats: snapshot(), received });
const stats = setInterval(postStats, STATS_MS);

const HANDLERS: { [T in ToWorker['t']]: (m: Extract<ToWorker, { t: T }>) => void } = {
  lines(m) {
    for (const line of m.lines) {
      received += line.length + 1;
      for (const c of channels) c.write(line);
    }
  },
  drain(m) {
    void Promise.all(channels.map((c) => c.drain(m.timeoutMs))).then((r) => {
      postStats();
      post({ t: 'drained', id: m.id, ok: r.every(Boolean) });
    });
  },
  close() {
    clearInterval(stats);
    void Promise.all(channels.map((c) => c.close())).finally(() => {
      postStats();
      post({ t: 'closed' });
      port.close();
    });
  },
};

port.on('message', (m: ToWorker) => (HANDLERS[m.t] as (x: ToWorker) => void)(m));
