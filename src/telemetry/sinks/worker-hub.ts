import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SinkConfig, TelemetryConfig } from '../../config/schema/telemetry.js';
import type { ChannelStats, SinkChannel } from './channel.js';
import type { FromWorker, ToWorker, WorkerInit } from './sink-worker.js';
import type { Sink } from './types.js';

/**
 * The main-thread side of the remote sinks: lines are batched here for 20 ms and posted to the
 * sink worker in one message (one structured clone per batch), which spools and sends them. To the
 * service each remote sink still looks like a SinkChannel; `write` goes through `hub.write` once
 * for all of them.
 */
export interface WorkerHub {
  readonly channels: readonly SinkChannel[];
  write(line: string): void;
  close(): Promise<void>;
}

/** How long lines wait on the main thread before they are posted (bounds what a crash can lose). */
const POST_MS = 20;
/** A batch this large is posted at once. */
const POST_LINES = 2_000;

/** The compiled worker next to this file, or the TypeScript source through tsx (tests, `tsx` runs). */
function workerFor(init: WorkerInit): Worker {
  const js = new URL('./sink-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js, { workerData: init });
  const ts = new URL('./sink-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((m) => m.register()).then(() => import(${JSON.stringify(ts)}))`;
  return new Worker(boot, { eval: true, workerData: init });
}

export async function startWorkerHub(
  sinks: readonly SinkConfig[],
  spool: TelemetryConfig['spool'],
  secrets: Readonly<Record<string, string>>,
): Promise<WorkerHub> {
  const worker = workerFor({ sinks, spool, secrets });
  let stats: ChannelStats[] = [];
  let pending: string[] = [];
  let timer: NodeJS.Timeout | null = null;
  let seq = 0;
  const drains = new Map<number, (ok: boolean) => void>();
  let closed: (() => void) | null = null;
  let alive = true;

  const ready = new Promise<void>((resolve, reject) => {
    const HANDLERS: { [T in FromWorker['t']]: (m: Extract<FromWorker, { t: T }>) => void } = {
      ready: (m) => {
        stats = m.stats;
        resolve();
      },
      error: (m) => reject(new Error(`audit sinks: ${m.message}`)),
      stats: (m) => {
        stats = m.stats;
      },
      drained: (m) => {
        drains.get(m.id)?.(m.ok);
        drains.delete(m.id);
      },
      closed: () => closed?.(),
    };
    worker.on('message', (m: FromWorker) => (HANDLERS[m.t] as (x: FromWorker) => void)(m));
    worker.once('error', (err) => reject(err));
    worker.once('exit', () => {
      alive = false;
      for (const d of drains.values()) d(false);
      drains.clear();
      closed?.();
    });
  });
  await ready;
  worker.unref();

  const send = (m: ToWorker): void => {
    if (alive) worker.postMessage(m);
  };
  const flush = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (pending.length === 0) return;
    const lines = pending;
    pending = [];
    send({ t: 'lines', lines });
  };

  const channels: SinkChannel[] = sinks.map((cfg, i) => {
    const stub: Sink = {
      name: cfg.name,
      kind: cfg.kind,
      remote: true,
      send: async () => ({ rejected: [] }),
      close: async () => {},
    };
    return {
      sink: stub,
      // The service writes remote lines through the hub, once for all remote sinks.
      write: () => {},
      stats: () => {
        const s = stats[i] ?? {
          name: cfg.name,
          kind: cfg.kind,
          remote: true,
          depth: 0,
          bytes: 0,
          capacityBytes: 0,
          dropped: 0,
          delivered: 0,
          rejected: 0,
          failures: 0,
          up: true,
          full: false,
        };
        return { ...s, depth: s.depth + pending.length };
      },
      async drain(timeoutMs) {
        flush();
        const id = ++seq;
        return new Promise<boolean>((resolve) => {
          if (!alive) return resolve(false);
          drains.set(id, resolve);
          send({ t: 'drain', id, timeoutMs });
        });
      },
      close: async () => {},
    };
  });

  return {
    channels,
    write(line) {
      pending.push(line);
      if (pending.length >= POST_LINES) flush();
      else if (timer === null) timer = setTimeout(flush, POST_MS);
    },
    async close() {
      flush();
      if (!alive) return;
      await new Promise<void>((resolve) => {
        closed = resolve;
        send({ t: 'close' });
      });
      await worker.terminate();
    },
  };
}
