/**
 * An upstream hold for limit tests: while closed, every request that reaches the upstream waits;
 * `inflight` and `max` count what the upstream holds at once (the real concurrency).
 */
export class Gate {
  inflight = 0;
  max = 0;
  reached = 0;
  private wait: Promise<void> = Promise.resolve();
  private release: () => void = () => {};

  close(): void {
    this.wait = new Promise((r) => {
      this.release = r;
    });
  }

  open(): void {
    this.release();
  }

  /** For the demo upstream's `intercept` hook: hold the request, then let the demo answer. */
  readonly intercept = async (): Promise<boolean> => {
    this.reached++;
    this.inflight++;
    this.max = Math.max(this.max, this.inflight);
    try {
      await this.wait;
    } finally {
      this.inflight--;
    }
    return false;
  };
}

/** Polls `cond` up to `tries` times, `everyMs` apart: a bound in attempts, not a timing threshold. */
export async function poll(
  cond: () => boolean | Promise<boolean>,
  tries: number,
  everyMs = 50,
): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return false;
}
