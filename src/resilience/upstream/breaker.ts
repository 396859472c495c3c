import type { BreakerConfig } from '../../config/schema/resilience.js';
import type { Store } from '../../store/types.js';
import { createSharedMap, type SharedMap } from '../shared-map.js';

export type BreakerState = 'closed' | 'open' | 'half_open';

/** What replicas share: an open breaker and until when it stays open. Closed is the absence of an entry. */
interface SharedOpen {
  readonly until: number;
  readonly by: string;
}

const parseOpen = (raw: unknown): SharedOpen | null => {
  const r = raw as Partial<SharedOpen> | null;
  return r !== null && typeof r === 'object' && typeof r.until === 'number'
    ? { until: r.until, by: typeof r.by === 'string' ? r.by : '' }
    : null;
};

/** Local counters of one deployment: a window of fixed buckets, like the PACE signals (bounded memory). */
class Counts {
  private readonly fails: number[];
  private readonly totals: number[];
  private head = 0;
  private headStart: number;
  private readonly bucketMs: number;
  consecutive = 0;
  constructor(
    windowMs: number,
    now: number,
    private readonly buckets = 10,
  ) {
    this.fails = new Array<number>(buckets).fill(0);
    this.totals = new Array<number>(buckets).fill(0);
    this.bucketMs = Math.max(1, Math.ceil(windowMs / buckets));
    this.headStart = now;
  }
  private advance(now: number): void {
    const steps = Math.min(this.buckets, Math.floor((now - this.headStart) / this.bucketMs));
    if (steps <= 0) return;
    for (let i = 0; i < steps; i++) {
      this.head = (this.head + 1) % this.buckets;
      this.fails[this.head] = 0;
      this.totals[this.head] = 0;
    }
    this.headStart = now - ((now - this.headStart) % this.bucketMs);
  }
  add(failed: boolean, now: number): { fails: number; total: number } {
    this.advance(now);
    this.totals[this.head] = (this.totals[this.head] ?? 0) + 1;
    if (failed) {
      this.fails[this.head] = (this.fails[this.head] ?? 0) + 1;
      this.consecutive++;
    } else this.consecutive = 0;
    let f = 0;
    let t = 0;
    for (let i = 0; i < this.buckets; i++) {
      f += this.fails[i] ?? 0;
      t += this.totals[i] ?? 0;
    }
    return { fails: f, total: t };
  }
  reset(now: number): void {
    this.fails.fill(0);
    this.totals.fill(0);
    this.consecutive = 0;
    this.headStart = now;
  }
}

export type Admission = 'call' | 'probe' | 'refuse';

export interface Breakers {
  /** Whether a call to this deployment may go now: normally, as a half-open probe, or not at all. */
  admit(deployment: string, cfg: BreakerConfig): Admission;
  /** The outcome of an admitted call (`failed`: the deployment's fault: connect error, reset, 5xx, timeout). */
  report(deployment: string, cfg: BreakerConfig, admission: Admission, failed: boolean): void;
  state(deployment: string): BreakerState;
  /** When an open breaker half-opens (epoch ms), or null. */
  retryAt(deployment: string): number | null;
  close(): Promise<void>;
}

export interface BreakerOptions {
  readonly store: Store;
  readonly pollMs: number;
  readonly replica: string;
  readonly onChange?: (deployment: string, state: BreakerState) => void;
  readonly now?: () => number;
}

/**
 * One circuit breaker per deployment (identified by its pinned model id), shared across replicas.
 * Each replica counts its own calls; the first to trip writes `open until T` to the store and every
 * replica adopts it (pub/sub, polling fallback). After T each replica lets `halfOpenProbes` calls
 * through at a time; a successful probe closes the breaker everywhere (the entry is deleted), a
 * failed one re-opens it for another `openMs`. Recovery: one good probe.
 */
export function createBreakers(opts: BreakerOptions): Breakers {
  const now = opts.now ?? Date.now;
  const counts = new Map<string, Counts>();
  const probes = new Map<string, number>();
  const localOpen = new Map<string, number>();
  const last = new Map<string, BreakerState>();
  const shared: SharedMap<SharedOpen> = createSharedMap({
    store: opts.store,
    name: '{br}:open',
    pollMs: opts.pollMs,
    parse: parseOpen,
    onChange: (next) => {
      for (const [d, o] of next) localOpen.set(d, o.until);
      for (const d of [...localOpen.keys()]) if (!next.has(d)) localOpen.delete(d);
      for (const d of new Set([...next.keys(), ...last.keys()])) notify(d);
    },
  });

  const stateOf = (d: string): BreakerState => {
    const until = localOpen.get(d);
    if (until === undefined) return 'closed';
    return now() < until ? 'open' : 'half_open';
  };
  const notify = (d: string) => {
    const s = stateOf(d);
    if (last.get(d) === s) return;
    last.set(d, s);
    opts.onChange?.(d, s);
  };
  const open = (d: string, cfg: BreakerConfig) => {
    const until = now() + cfg.openMs;
    localOpen.set(d, until);
    notify(d);
    // Shared best effort: a store that is down leaves this replica's breaker open on its own.
    void shared.put(d, { until, by: opts.replica }).catch(() => {});
  };
  const counter = (d: string, cfg: BreakerConfig) => {
    let c = counts.get(d);
    if (c === undefined) counts.set(d, (c = new Counts(cfg.windowMs, now())));
    return c;
  };

  return {
    admit(d, cfg) {
      const s = stateOf(d);
      if (s === 'closed') return 'call';
      notify(d);
      if (s === 'open') return 'refuse';
      const n = probes.get(d) ?? 0;
      if (n >= cfg.halfOpenProbes) return 'refuse';
      probes.set(d, n + 1);
      return 'probe';
    },
    report(d, cfg, admission, failed) {
      if (admission === 'probe') {
        probes.set(d, Math.max(0, (probes.get(d) ?? 1) - 1));
        if (failed) open(d, cfg);
        else {
          localOpen.delete(d);
          counter(d, cfg).reset(now());
          notify(d);
          void shared.remove(d).catch(() => {});
        }
        return;
      }
      const c = counter(d, cfg).add(failed, now());
      if (!failed || stateOf(d) !== 'closed') return;
      if (
        counter(d, cfg).consecutive >= cfg.consecutiveFailures ||
        (c.total >= cfg.minCalls && c.fails / c.total >= cfg.failureRatio)
      ) {
        counter(d, cfg).reset(now());
        open(d, cfg);
      }
    },
    state: (d) => stateOf(d),
    retryAt: (d) => localOpen.get(d) ?? null,
    close: () => shared.close(),
  };
}
