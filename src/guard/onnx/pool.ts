/**
 * The main-thread side of the ONNX option: `workers` threads (worker.ts), one text each at a time,
 * a bounded FIFO of waiting texts, and a latency budget per text. A text gets its verdict from the
 * model only when the answer is back within the budget, measured from the moment it was submitted
 * (queueing included); otherwise the caller uses the built-in detector's verdict. The check is made
 * again when the answer arrives, so an answer that took longer than the budget is never used, even
 * if the budget's timer has not run yet (a blocked event loop): a model slower than the budget falls
 * back every time, not by the luck of timers.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker, WorkerInit } from './worker.js';

export type OnnxOutcome =
  | { readonly kind: 'ok'; readonly score: number; readonly elapsedMs: number }
  | { readonly kind: 'budget' | 'queue'; readonly elapsedMs: number }
  /** `message` is the runtime's (shapes, indices), never the text. */
  | { readonly kind: 'error'; readonly elapsedMs: number; readonly message: string };

export interface OnnxPoolOptions extends WorkerInit {
  readonly workers: number;
  readonly maxQueue: number;
  /** How long each worker may take to load and warm up at boot. */
  readonly loadTimeoutMs: number;
  /** Each answer's in-thread time (tokenisation and inference), late or not: the ONNX path's own latency. */
  readonly onInference?: (ms: number) => void;
  /** A worker that died (crash, out of memory) and is being replaced. */
  readonly onWorkerExit?: (message: string) => void;
}

export interface OnnxPool {
  classify(text: string, budgetMs: number): Promise<OnnxOutcome>;
  close(): Promise<void>;
}

interface Job {
  readonly id: number;
  readonly text: string;
  readonly start: number;
  readonly budgetMs: number;
  readonly done: (o: OnnxOutcome) => void;
  settled: boolean;
  timer: NodeJS.Timeout | null;
}

interface Slot {
  worker: Worker;
  job: Job | null;
}

const RESPAWN_MS = 1_000;

/** The compiled worker next to this file, or the TypeScript source through tsx (tests, `tsx` runs). */
function spawn(init: WorkerInit): Worker {
  const js = new URL('./worker.js', import.meta.url);
  const ts = new URL('./worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((m) => m.register()).then(() => import(${JSON.stringify(ts)}))`;
  const worker = existsSync(fileURLToPath(js))
    ? new Worker(js, { workerData: init })
    : new Worker(boot, { eval: true, workerData: init });
  // The gateway's closers stop the workers; an idle one must not keep a finished process alive.
  worker.unref();
  return worker;
}

/** Waits for a new worker's `ready`; rejects with the worker's own reason (bad path, corrupt model). */
function ready(worker: Worker, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`did not load within ${timeoutMs} ms`)), timeoutMs);
    const finish = (err: Error | null) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', finish);
      worker.off('exit', onExit);
      if (err === null) resolve();
      else reject(err);
    };
    const onMessage = (m: FromWorker) => {
      if (m.type === 'ready') finish(null);
      else if (m.type === 'failed') finish(new Error(m.message));
    };
    const onExit = (code: number) => finish(new Error(`worker exited (${code}) while loading`));
    worker.on('message', onMessage);
    worker.on('error', finish);
    worker.on('exit', onExit);
  });
}

/** Starts every worker and waits until each has loaded the model; any failure stops them all and throws. */
export async function startOnnxPool(opts: OnnxPoolOptions): Promise<OnnxPool> {
  const init: WorkerInit = {
    modelPath: opts.modelPath,
    tokenizerPath: opts.tokenizerPath,
    maxTokens: opts.maxTokens,
    maxWindows: opts.maxWindows,
    benignLabel: opts.benignLabel,
    threads: opts.threads,
  };
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let nextId = 1;
  let closing = false;

  const settle = (job: Job, o: OnnxOutcome) => {
    if (job.settled) return;
    job.settled = true;
    if (job.timer !== null) clearTimeout(job.timer);
    job.done(o);
  };
  const pump = () => {
    for (const slot of slots) {
      if (slot.job !== null) continue;
      let job = queue.shift();
      // Texts whose budget ran out while they waited are not worth an inference (checked here too, in
      // case the event loop was too busy to run their timers).
      while (job !== undefined && (job.settled || performance.now() - job.start > job.budgetMs)) {
        settle(job, { kind: 'budget', elapsedMs: performance.now() - job.start });
        job = queue.shift();
      }
      if (job === undefined) return;
      slot.job = job;
      slot.worker.postMessage({ id: job.id, text: job.text } satisfies ToWorker);
    }
  };
  const attach = (slot: Slot) => {
    slot.worker.on('message', (m: FromWorker) => {
      if (m.type !== 'result' && m.type !== 'error') return;
      const job = slot.job;
      slot.job = null;
      if (m.type === 'result') opts.onInference?.(m.inferMs);
      if (job !== null && job.id === m.id) {
        const elapsedMs = performance.now() - job.start;
        if (m.type === 'error') settle(job, { kind: 'error', elapsedMs, message: m.message });
        else if (elapsedMs > job.budgetMs) settle(job, { kind: 'budget', elapsedMs });
        else settle(job, { kind: 'ok', score: m.score, elapsedMs });
      }
      pump();
    });
    slot.worker.on('error', () => {
      // 'exit' follows and replaces the worker.
    });
    slot.worker.once('exit', (code) => {
      const job = slot.job;
      slot.job = null;
      if (job !== null)
        settle(job, {
          kind: 'error',
          elapsedMs: performance.now() - job.start,
          message: `worker exited (${code})`,
        });
      if (closing) return;
      opts.onWorkerExit?.(`onnx worker exited (${code}); restarting`);
      setTimeout(() => void respawn(slot), RESPAWN_MS).unref();
    });
  };
  const respawn = async (slot: Slot) => {
    if (closing) return;
    const worker = spawn(init);
    try {
      await ready(worker, opts.loadTimeoutMs);
    } catch (err) {
      await worker.terminate();
      if (!closing) {
        opts.onWorkerExit?.(`onnx worker did not restart: ${(err as Error).message}`);
        setTimeout(() => void respawn(slot), RESPAWN_MS).unref();
      }
      return;
    }
    if (closing) {
      await worker.terminate();
      return;
    }
    slot.worker = worker;
    attach(slot);
    pump();
  };

  const starting = Array.from({ length: opts.workers }, () => spawn(init));
  try {
    await Promise.all(starting.map((w) => ready(w, opts.loadTimeoutMs)));
  } catch (err) {
    await Promise.all(starting.map((w) => w.terminate()));
    throw err;
  }
  for (const worker of starting) {
    const slot: Slot = { worker, job: null };
    slots.push(slot);
    attach(slot);
  }

  return {
    classify(text, budgetMs) {
      const start = performance.now();
      if (closing || queue.length >= opts.maxQueue) return Promise.resolve({ kind: 'queue', elapsedMs: 0 });
      return new Promise<OnnxOutcome>((done) => {
        const job: Job = { id: nextId++, text, start, budgetMs, done, settled: false, timer: null };
        job.timer = setTimeout(() => {
          // Out of the queue at once, so a burst of late texts does not fill it.
          const at = queue.indexOf(job);
          if (at >= 0) queue.splice(at, 1);
          settle(job, { kind: 'budget', elapsedMs: performance.now() - start });
        }, budgetMs);
        queue.push(job);
        pump();
      });
    },
    async close() {
      closing = true;
      for (const job of queue.splice(0)) settle(job, { kind: 'queue', elapsedMs: 0 });
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
