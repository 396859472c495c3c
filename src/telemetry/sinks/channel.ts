import { appendFileSync } from 'node:fs';
import type { Spool } from '../spool.js';
import { joinLines, type Sink, SinkError } from './types.js';

/**
 * The delivery path of one sink. Local sinks get lines in small batches straight away; remote
 * sinks get them from their spool through a sender loop that retries with backoff, so a sink that
 * is down only grows its spool.
 */
export interface ChannelStats {
  readonly name: string;
  readonly kind: string;
  readonly remote: boolean;
  /** Events accepted but not yet delivered. */
  readonly depth: number;
  readonly bytes: number;
  readonly capacityBytes: number;
  readonly dropped: number;
  readonly delivered: number;
  readonly rejected: number;
  readonly failures: number;
  readonly up: boolean;
  readonly full: boolean;
}

export interface SinkChannel {
  readonly sink: Sink;
  write(line: string): void;
  stats(): ChannelStats;
  /** Resolves true once everything written so far is delivered, false at the timeout. */
  drain(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Lines held in memory (`onFailure` mode) before the backlog goes to the spool anyway. */
const MEMORY_BYTES = 8 * 1_048_576;

export interface DeliveryOptions {
  readonly batchSize: number;
  readonly maxBatchBytes: number;
  readonly flushIntervalMs: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  /** `always`: every line goes through the spool (write-ahead); `onFailure`: only when needed. */
  readonly mode?: 'always' | 'onFailure';
}

/** How often queued lines reach disk (spool) or the local sink: bounds what a crash can lose. */
const FLUSH_MS = 20;

const waitUntil = async (cond: () => boolean, timeoutMs: number): Promise<boolean> => {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
};

export function createLocalChannel(sink: Sink): SinkChannel {
  let pending: string[] = [];
  let delivered = 0;
  let dropped = 0;
  let failures = 0;
  let up = true;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> = Promise.resolve();
  const flush = (): void => {
    timer = null;
    if (pending.length === 0) return;
    const batch = pending.map((l) => Buffer.from(l));
    pending = [];
    inFlight = inFlight.then(() =>
      sink.send(batch).then(
        () => {
          delivered += batch.length;
          up = true;
        },
        () => {
          // A local sink that cannot write (disk full, closed pipe) has nowhere to keep the lines.
          dropped += batch.length;
          failures++;
          up = false;
        },
      ),
    );
  };
  return {
    sink,
    write(line) {
      pending.push(line);
      if (timer === null) timer = setTimeout(flush, FLUSH_MS);
    },
    stats: () => ({
      name: sink.name,
      kind: sink.kind,
      remote: false,
      depth: pending.length,
      bytes: 0,
      capacityBytes: 0,
      dropped,
      delivered,
      rejected: 0,
      failures,
      up,
      full: false,
    }),
    async drain(timeoutMs) {
      if (timer !== null) clearTimeout(timer);
      flush();
      await inFlight;
      return waitUntil(() => pending.length === 0, timeoutMs);
    },
    async close() {
      if (timer !== null) clearTimeout(timer);
      flush();
      await inFlight;
      await sink.close();
    },
  };
}

export function createSpooledChannel(
  sink: Sink,
  spool: Spool,
  opts: DeliveryOptions & { readonly capacityBytes: number; readonly deadLetterPath: string },
): SinkChannel {
  let closing = false;
  let up = true;
  let failures = 0;
  let consecutive = 0;
  let delivered = 0;
  let rejected = 0;
  let wake: (() => void) | null = null;
  const flusher = setInterval(() => spool.flush(), FLUSH_MS);
  flusher.unref();

  /** Sleeps `ms`, cut short by close (and by a full batch when `byData`). */
  const pause = (ms: number, byData: boolean): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        wake = null;
        resolve();
      }
      wake = byData ? done : null;
      stop = done;
    });
  let stop: (() => void) | null = null;

  const deadLetter = (lines: readonly Buffer[]): void => {
    if (lines.length === 0) return;
    appendFileSync(opts.deadLetterPath, joinLines(lines), { mode: 0o600 });
    rejected += lines.length;
  };

  // `onFailure` mode: while the sink keeps up and nothing waits on disk, lines wait in memory and
  // skip the disk; a failure, a backlog past MEMORY_BYTES or a close moves them to the spool, which
  // then serves until it is empty again.
  const memoryFirst = opts.mode === 'onFailure';
  let mem: string[] = [];
  let memBytes = 0;
  const spill = (first: readonly string[] = []): void => {
    for (const l of first) spool.append(l);
    for (const l of mem) spool.append(l);
    mem = [];
    memBytes = 0;
  };
  const depth = (): number => spool.depth + mem.length;

  interface Taken {
    readonly lines: Buffer[];
    done(): void;
    failed(): void;
  }
  const take = (): Taken | null => {
    if (spool.depth > 0 || mem.length === 0) {
      const batch = spool.read(opts.batchSize, opts.maxBatchBytes);
      if (batch.lines.length === 0) return null;
      return { lines: batch.lines, done: () => spool.ack(batch), failed: () => {} };
    }
    const strings = mem.splice(0, opts.batchSize);
    for (const l of strings) memBytes -= l.length;
    return { lines: strings.map((l) => Buffer.from(l)), done: () => {}, failed: () => spill(strings) };
  };

  const loop = async (): Promise<void> => {
    let lastSend = 0;
    while (!closing) {
      // Small batches wait for the flush interval (or a full batch): one request per event would
      // cost the receiver and the gateway far more than the wait.
      const wait = lastSend + opts.flushIntervalMs - Date.now();
      if (depth() < opts.batchSize && (depth() === 0 || wait > 0)) {
        await pause(depth() === 0 ? opts.flushIntervalMs : wait, true);
        if (depth() === 0) continue;
      }
      const batch = take();
      if (batch === null) continue;
      lastSend = Date.now();
      try {
        const res = await sink.send(batch.lines);
        deadLetter(res.rejected);
        delivered += batch.lines.length - res.rejected.length;
        batch.done();
        up = true;
        consecutive = 0;
      } catch (err) {
        if (err instanceof SinkError && !err.retryable) {
          deadLetter(batch.lines);
          batch.done();
          continue;
        }
        batch.failed();
        failures++;
        consecutive++;
        up = false;
        // Exponential backoff with equal jitter: half fixed, half random, capped.
        const cap = Math.min(opts.backoffMaxMs, opts.backoffInitialMs * 2 ** Math.min(consecutive - 1, 30));
        await pause(cap / 2 + Math.random() * (cap / 2), false);
      }
    }
  };
  const running = loop();

  return {
    sink,
    write(line) {
      if (memoryFirst && up && spool.depth === 0 && memBytes < MEMORY_BYTES) {
        mem.push(line);
        memBytes += line.length;
      } else {
        if (mem.length > 0) spill();
        if (!spool.append(line)) return;
      }
      if (wake !== null && depth() >= opts.batchSize) wake();
    },
    stats: () => ({
      name: sink.name,
      kind: sink.kind,
      remote: true,
      depth: depth(),
      bytes: spool.bytes + memBytes,
      capacityBytes: opts.capacityBytes,
      dropped: spool.dropped,
      delivered,
      rejected,
      failures,
      up,
      full: spool.full,
    }),
    async drain(timeoutMs) {
      wake?.();
      return waitUntil(() => depth() === 0, timeoutMs);
    },
    async close() {
      closing = true;
      stop?.();
      await running;
      clearInterval(flusher);
      // Lines still in memory go to disk: the next start delivers them.
      spill();
      spool.close();
      await sink.close();
    },
  };
}
