/**
 * A rolling baseline: an exponentially weighted moving average in time, with a half-life.
 *
 * Each evaluation with data feeds the signal's windowed value; the weight of the new value is
 * `1 - 2^(-dt / halfLife)` where `dt` is the time since the previous update (capped at one
 * half-life, so a long gap cannot let one sample replace the history). The baseline is not
 * updated while its alert is firing, so an incident does not become the new normal. It is
 * usable ("warm") once it has absorbed `warmupMs` of history; before that, baseline signals do not
 * evaluate at all.
 */
export interface BaselineState {
  value: number;
  /** History absorbed so far (ms). */
  covered: number;
  last: number;
}

export class Baseline {
  private s: BaselineState | null = null;

  constructor(
    private readonly halfLifeMs: number,
    private readonly warmupMs: number,
  ) {}

  update(sample: number, now: number): void {
    if (!Number.isFinite(sample)) return;
    if (this.s === null) {
      this.s = { value: sample, covered: 0, last: now };
      return;
    }
    const dt = Math.min(Math.max(0, now - this.s.last), this.halfLifeMs);
    if (dt === 0) return;
    const w = 1 - 2 ** (-dt / this.halfLifeMs);
    this.s.value += w * (sample - this.s.value);
    this.s.covered += dt;
    this.s.last = now;
  }

  get ready(): boolean {
    return this.s !== null && this.s.covered >= this.warmupMs;
  }

  /** History still needed before the baseline is usable (0 once warm). */
  get remainingMs(): number {
    return Math.max(0, this.warmupMs - (this.s?.covered ?? 0));
  }

  get value(): number | null {
    return this.s === null ? null : this.s.value;
  }

  /** For persistence in the store (restarts and late-joining replicas keep the warm baseline). */
  snapshot(): BaselineState | null {
    return this.s === null ? null : { ...this.s };
  }

  restore(s: BaselineState): void {
    if (Number.isFinite(s.value) && Number.isFinite(s.covered) && Number.isFinite(s.last)) this.s = { ...s };
  }
}
