import { performance } from 'node:perf_hooks';

/**
 * Command deadlines measured against the store, not against our own event loop.
 *
 * ioredis' `commandTimeout` is a plain `setTimeout` per command. After the event loop was blocked
 * (a CPU-heavy request, a GC pause, a co-tenant), the expired timers run in the *timers* phase,
 * before the *poll* phase that would read the replies already waiting in the socket: a command that
 * Redis answered in a millisecond is declared timed out, the limiter treats Redis as down and
 * applies its store-down posture under load — exactly when it matters most (issue 10, finding 3).
 *
 * Two changes make the verdict about the store only:
 * 1. Time is counted only while the process could have read a reply. One shared ticker (not a
 *    timer per command) advances a "responsive clock" by the real time between ticks, but by at
 *    most two tick periods per tick: a stall of 3 s between two ticks counts as 2 ticks, because
 *    nothing could be read during it.
 * 2. An expired command is not failed in the timers phase: the verdict is deferred with
 *    `setImmediate` (the *check* phase), so the poll phase in between reads whatever reply already
 *    arrived. Only a command still unanswered then has really waited `timeoutMs` for Redis.
 * The cost is one ticker per connection while commands are pending, and a deque push per command.
 */

/** The part of an ioredis `Command` we use: its promise and its rejector. */
export interface Deadlined {
  readonly promise: Promise<unknown>;
  reject(err: Error): void;
}

interface Pending {
  readonly cmd: Deadlined;
  readonly due: number;
  done: boolean;
}

export interface Deadlines {
  /** Track one command sent now; it is rejected with `Command timed out` after `timeoutMs` of responsive time. */
  track(cmd: Deadlined): void;
  /** Commands tracked and not yet answered or timed out. */
  pending(): number;
  stop(): void;
}

export function createDeadlines(timeoutMs: number): Deadlines {
  // 10 ticks per timeout (5..50 ms): fine enough that a healthy timeout ends within 10 % late.
  const tickMs = Math.max(5, Math.min(50, Math.floor(timeoutMs / 10)));
  let responsive = 0;
  let last = performance.now();
  let timer: NodeJS.Timeout | null = null;
  // A FIFO: every command has the same timeout, so deadlines are in send order.
  let queue: Pending[] = [];
  let head = 0;
  let live = 0;

  const verdict = (p: Pending) => {
    // Runs after a poll phase: a reply that was waiting in the socket has been read by now.
    if (p.done) return;
    p.done = true;
    live--;
    p.cmd.reject(new Error('Command timed out'));
  };

  const tick = () => {
    const now = performance.now();
    // A late tick means the loop was blocked: that time could not be used to read replies.
    responsive += Math.min(now - last, 2 * tickMs);
    last = now;
    for (let p = queue[head]; p !== undefined; p = queue[head]) {
      if (!p.done && p.due > responsive) break;
      head++;
      if (!p.done) setImmediate(verdict, p);
    }
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
    if (head >= queue.length) {
      queue = [];
      head = 0;
      if (timer !== null) clearInterval(timer);
      timer = null;
    }
  };

  return {
    track(cmd) {
      if (timer === null) {
        last = performance.now();
        timer = setInterval(tick, tickMs);
        timer.unref();
      }
      // Since the last tick the loop may have been responsive for up to one tick we have not
      // counted yet: add it, so a command never times out early.
      const p: Pending = { cmd, due: responsive + timeoutMs + tickMs, done: false };
      live++;
      queue.push(p);
      const settle = () => {
        if (p.done) return;
        p.done = true;
        live--;
      };
      cmd.promise.then(settle, settle);
    },
    pending: () => live,
    stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      queue = [];
      head = 0;
    },
  };
}
