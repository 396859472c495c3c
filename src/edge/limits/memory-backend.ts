import {
  type AdmitInput,
  type AdmitOutcome,
  DIMENSIONS,
  type LimitAlert,
  type LimitBackend,
  type SettleInput,
  type Views,
  WINDOWED,
  type WindowSpec,
  type WindowView,
} from './types.js';
import { bucketsIn, retryAfter, viewOf } from './window.js';

/** One window's buckets (index → amount) and its newest charged bucket (for the reset header). */
interface Win {
  readonly b: Map<number, number>;
  newest: number;
}
/** The windows of one dimension, by window id. */
type Counters = Map<string, Win>;

interface ConsumerState {
  readonly dims: [Counters, Counters, Counters, Counters];
  /** lease id → expiry (ms). */
  readonly leases: Map<string, number>;
  /** alert field → the end of the window in which it already fired. */
  readonly alerted: Map<string, number>;
  expiresAt: number;
}

/**
 * One process: the same algorithm as the Lua scripts (test/unit/limits runs one suite against
 * both), on plain Maps. Everything runs synchronously inside `admit`, so it is atomic by construction.
 */
export function createMemoryBackend(clock: () => number = Date.now): LimitBackend {
  const consumers = new Map<string, ConsumerState>();
  const globals = new Map<string, Map<string, number>>();
  const sweep = setInterval(() => {
    const t = clock();
    for (const [k, s] of consumers) if (s.expiresAt <= t && s.leases.size === 0) consumers.delete(k);
    for (const [k, g] of globals) {
      dropExpired(g, t);
      if (g.size === 0) globals.delete(k);
    }
  }, 30_000);
  sweep.unref();

  const state = (scope: string, consumer: string): ConsumerState => {
    const key = `${scope}\u0000${consumer}`;
    let s = consumers.get(key);
    if (s === undefined) {
      s = {
        dims: [new Map(), new Map(), new Map(), new Map()],
        leases: new Map(),
        alerted: new Map(),
        expiresAt: 0,
      };
      consumers.set(key, s);
    }
    return s;
  };
  const global = (scope: string): Map<string, number> => {
    let g = globals.get(scope);
    if (g === undefined) globals.set(scope, (g = new Map()));
    return g;
  };

  return {
    kind: 'memory',
    async admit(input: AdmitInput): Promise<AdmitOutcome> {
      const now = input.now ?? clock();
      const { spec, amounts } = input;
      const s = state(input.scope, input.consumer);
      const g = global(input.scope);
      const used: number[][] = [];
      let fail = -1;
      let retryMs = 0;
      for (let d = 0; d < WINDOWED.length; d++) {
        const ws = spec.windows[d]!;
        const counters = s.dims[d]!;
        used.push(
          ws.map((w) => {
            const buckets = live(counters, w, now);
            const u = sum(buckets);
            if (fail < 0 && u + amounts[d]! > w.cap) {
              fail = d;
              retryMs = retryAfter(w, buckets, u, amounts[d]!, now);
            }
            return u;
          }),
        );
      }
      dropExpired(s.leases, now);
      dropExpired(g, now);
      if (fail < 0 && s.leases.size >= spec.concurrency) [fail, retryMs] = [4, 1_000];
      if (fail < 0 && g.size >= spec.globalConcurrency) [fail, retryMs] = [5, 1_000];
      if (fail >= 0) {
        const views = viewsOf(spec.windows, s.dims, used, now);
        return { ok: false, at: now, views, dimension: DIMENSIONS[fail]!, retryAfterMs: retryMs };
      }

      let longest = 0;
      for (let d = 0; d < WINDOWED.length; d++) {
        const a = amounts[d]!;
        spec.windows[d]!.forEach((w, i) => {
          longest = Math.max(longest, w.lengthMs + w.bucketMs);
          if (a <= 0) return;
          const b = Math.floor(now / w.bucketMs);
          const win = table(s.dims[d]!, w.id);
          win.b.set(b, (win.b.get(b) ?? 0) + a);
          win.newest = b;
          used[d]![i]! += a;
        });
      }
      s.leases.set(input.leaseId, now + spec.leaseMs);
      g.set(input.leaseId, now + spec.leaseMs);
      s.expiresAt = Math.max(s.expiresAt, now + longest);

      const alerts: LimitAlert[] = [];
      const fire = (field: string, lengthMs: number): boolean => {
        const until = s.alerted.get(field);
        if (until !== undefined && until > now) return false;
        s.alerted.set(field, now + lengthMs);
        return true;
      };
      for (let d = 0; d < WINDOWED.length; d++) {
        spec.windows[d]!.forEach((w, i) => {
          if (used[d]![i]! >= spec.alertRatio * w.cap && fire(`q${d}${w.id}`, w.lengthMs))
            alerts.push({
              kind: 'quota',
              dimension: WINDOWED[d]!,
              window: w.id,
              used: used[d]![i]!,
              limit: w.cap,
            });
        });
      }
      const hour = spec.windows[3][0]!;
      if (amounts[3] > 0 && used[3]![0]! >= spec.softCostMicros && fire('soft', hour.lengthMs))
        alerts.push({ kind: 'softCap', used: used[3]![0]!, limit: spec.softCostMicros });
      return { ok: true, at: now, views: viewsOf(spec.windows, s.dims, used, now), alerts };
    },

    async settle(input: SettleInput): Promise<void> {
      const now = input.now ?? clock();
      const s = state(input.scope, input.consumer);
      for (let d = 0; d < WINDOWED.length; d++) {
        const delta = input.deltas[d]!;
        if (delta === 0) continue;
        for (const w of input.spec.windows[d]!) {
          const b = Math.floor(input.at / w.bucketMs);
          // A bucket that already left the window no longer limits anyone: nothing to correct.
          if (b < Math.floor(now / w.bucketMs) - w.lengthMs / w.bucketMs) continue;
          const m = table(s.dims[d]!, w.id).b;
          const v = (m.get(b) ?? 0) + delta;
          if (v <= 0) m.delete(b);
          else m.set(b, v);
          if (delta > 0) s.expiresAt = Math.max(s.expiresAt, now + w.lengthMs + w.bucketMs);
        }
      }
      s.leases.delete(input.leaseId);
      globals.get(input.scope)?.delete(input.leaseId);
    },

    async close() {
      clearInterval(sweep);
      consumers.clear();
      globals.clear();
    },
  };
}

function table(c: Counters, id: string): Win {
  let m = c.get(id);
  if (m === undefined) c.set(id, (m = { b: new Map(), newest: -1 }));
  return m;
}

/** The window's live buckets (index, value); stale ones are dropped as in the Lua script. */
function live(c: Counters, w: WindowSpec, now: number): Array<[number, number]> {
  const win = c.get(w.id);
  if (win === undefined) return [];
  const out: Array<[number, number]> = [];
  for (const [b, v] of win.b) {
    if (bucketsIn(w, b, now)) out.push([b, v]);
    else win.b.delete(b);
  }
  if (!bucketsIn(w, win.newest, now)) win.newest = -1;
  return out;
}

function sum(buckets: Array<[number, number]>): number {
  let n = 0;
  for (const [, v] of buckets) n += v;
  return n;
}

function dropExpired(leases: Map<string, number>, now: number): void {
  for (const [id, exp] of leases) if (exp <= now) leases.delete(id);
}

function viewsOf(
  windows: readonly (readonly WindowSpec[])[],
  dims: readonly Counters[],
  used: number[][],
  now: number,
): Views {
  const out: WindowView[] = [];
  for (let d = 0; d < WINDOWED.length; d++) {
    let best: WindowView | null = null;
    windows[d]!.forEach((w, i) => {
      const v = viewOf(w, used[d]![i]!, dims[d]!.get(w.id)?.newest ?? -1, now);
      if (best === null || v.remaining < best.remaining) best = v;
    });
    out.push(best!);
  }
  return out as unknown as Views;
}
