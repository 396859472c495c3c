import type { SignalConfig } from '../../config/schema/resilience.js';

/** Buckets per window: memory per signal is fixed whatever the request rate. */
const BUCKETS = 10;

/**
 * One degradation signal for one route (or for every route): observations counted in a sliding
 * window of fixed buckets, with hysteresis. It enters when at least `minFailures` observations and
 * `enterRatio` of the window failed, and leaves only once the share is at or below `exitRatio` and
 * it has been active for `minDwellMs` (an idle window counts as recovered: raisers re-assert a
 * signal at least once per window while it holds).
 */
export class SignalWindow {
  private readonly fails = new Array<number>(BUCKETS).fill(0);
  private readonly totals = new Array<number>(BUCKETS).fill(0);
  private readonly bucketMs: number;
  private head = 0;
  private headStart: number;
  active = false;
  since = 0;
  detail: string | undefined;

  constructor(
    private readonly cfg: SignalConfig,
    now: number,
  ) {
    this.bucketMs = Math.max(1, Math.ceil(cfg.windowMs / BUCKETS));
    this.headStart = now;
  }

  private advance(now: number): void {
    let steps = Math.floor((now - this.headStart) / this.bucketMs);
    if (steps <= 0) return;
    if (steps > BUCKETS) steps = BUCKETS;
    for (let i = 0; i < steps; i++) {
      this.head = (this.head + 1) % BUCKETS;
      this.fails[this.head] = 0;
      this.totals[this.head] = 0;
    }
    this.headStart = now - ((now - this.headStart) % this.bucketMs);
  }

  observe(failed: boolean, now: number, detail?: string): void {
    this.advance(now);
    this.totals[this.head] = (this.totals[this.head] ?? 0) + 1;
    if (failed) {
      this.fails[this.head] = (this.fails[this.head] ?? 0) + 1;
      if (detail !== undefined) this.detail = detail;
    }
    this.evaluate(now);
  }

  /** Re-evaluates with the clock (a window that went quiet lets the signal leave). True when it changed. */
  evaluate(now: number): boolean {
    this.advance(now);
    let f = 0;
    let t = 0;
    for (let i = 0; i < BUCKETS; i++) {
      f += this.fails[i] ?? 0;
      t += this.totals[i] ?? 0;
    }
    const ratio = t === 0 ? 0 : f / t;
    if (!this.active && f >= this.cfg.minFailures && ratio >= this.cfg.enterRatio) {
      this.active = true;
      this.since = now;
      return true;
    }
    if (this.active && ratio <= this.cfg.exitRatio && now - this.since >= this.cfg.minDwellMs) {
      this.active = false;
      this.since = now;
      return true;
    }
    return false;
  }
}
