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
/** Lines kept for a worker that is restarting; beyond, they are dropped and counted. */
const MAX_PENDING = 200_000;
const RESPAWN_MS = 1_000;

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
  onCrash: (message: string) => void = () => {},
): Promise<WorkerHub> {
  const init: WorkerInit = { sinks, spool, secrets };
  let worker: Worker;
  let stats: ChannelStats[] = [];
  let pending: string[] = [];
  let timer: NodeJS.Timeout | null = null;
  let seq = 0;
  const drains = new Map<number, (ok: boolean) => void>();
  let closed: (() => void) | null = null;
  let closing = false;
  let alive = false;
  /** Lines refused while the worker was down and the hand-over queue was full. */
  let lost = 0;
  // Characters (+1 per line) handed over, and how many of them the worker's last stats covered:
  // the difference is added to each spool's reported bytes, so backpressure (spool.onFull) sees
  // lines still in flight between the threads rather than a snapshot up to 200 ms old.
  let written = 0;
  let covered = 0;
  let respawn: NodeJS.Timeout | null = null;

  const HANDLERS: { [T in FromWorker['t']]: (m: Extract<FromWorker, { t: T }>) => void } = {
    ready: (m) => {
      stats = m.stats;
    },
    error: () => {},
    stats: (m) => {
      stats = m.stats;
      covered = m.received;
    },
    drained: (m) => {
      drains.get(m.id)?.(m.ok);
      drains.delete(m.id);
    },
    closed: () => closed?.(),
  };

  /** Starts the worker; resolves once its spools are open (rejects with the worker's reason). */
  const spawn = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      // A new worker counts from zero: only the lines still waiting here are not on its disk yet.
      written = pending.reduce((n, l) => n + l.length + 1, 0);
      covered = 0;
      const w = workerFor(init);
      worker = w;
      let started = false;
      w.on('message', (m: FromWorker) => {
        (HANDLERS[m.t] as (x: FromWorker) => void)(m);
        if (m.t === 'ready') {
          started = true;
          alive = true;
          w.unref();
          resolve();
          flush();
        } else if (m.t === 'error') reject(new Error(`audit sinks: ${m.message}`));
      });
      w.once('error', (err) => {
        if (!started) reject(err);
        else onCrash(err.message);
      });
      w.once('exit', () => {
        alive = false;
        for (const d of drains.values()) d(false);
        drains.clear();
        if (closing) return closed?.();
        if (!started) return;
        // The spools are on disk: a new worker resumes where this one stopped.
        onCrash('audit sink worker stopped; restarting');
        respawn = setTimeout(() => {
          respawn = null;
          void spawn().catch((err: Error) => onCrash(err.message));
        }, RESPAWN_MS);
        respawn.unref();
      });
    });
  await spawn();

  const send = (m: ToWorker): void => {
    if (alive) worker.postMessage(m);
  };
  function flush(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (pending.length === 0 || !alive) return;
    const lines = pending;
    pending = [];
    send({ t: 'lines', lines });
  }

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
        const last = stats[i] ?? {
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
        const bytes = last.bytes + Math.max(0, written - covered);
        return alive
          ? { ...last, bytes, depth: last.depth + pending.length, dropped: last.dropped + lost }
          : { ...last, bytes, up: false, depth: last.depth + pending.length, dropped: last.dropped + lost };
      },
      async drain(timeoutMs) {
        flush();
        const id = ++seq;
        return new Promise<boolean>((resolve) => {
          if (!alive) return resolve(false);
          // Awaited answers from the (unref'd) worker must hold the process meanwhile.
          worker.ref();
          drains.set(id, (ok) => {
            if (drains.size <= 1 && !closing) worker.unref();
            resolve(ok);
          });
          send({ t: 'drain', id, timeoutMs });
        });
      },
      close: async () => {},
    };
  });

  return {
    channels,
    write(line) {
      if (pending.length >= MAX_PENDING) {
        lost++;
        return;
      }
      pending.push(line);
      written += line.length + 1;
      if (pending.length >= POST_LINES) flush();
      else if (timer === null) timer = setTimeout(flush, POST_MS);
    },
    async close() {
      // Stopping while the worker restarts: start it now, so the lines waiting here reach the
      // spools instead of being dropped with the process.
      if (!alive && respawn !== null) {
        clearTimeout(respawn);
        respawn = null;
        await spawn().catch((err: Error) => onCrash(err.message));
      }
      flush();
      closing = true;
      if (!alive) {
        if (pending.length > 0) onCrash(`audit sink worker down at shutdown; ${pending.length} events lost`);
        return;
      }
      // The worker is unref'd so it never keeps a running gateway alive; while it flushes its
      // spools at shutdown it must, or the process could exit first (code 13, events lost).
      worker.ref();
      await new Promise<void>((resolve) => {
        closed = resolve;
        send({ t: 'close' });
      });
      await worker.terminate();
    },
  };
}
