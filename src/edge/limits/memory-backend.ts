import { internalError } from '../../pipeline/require.js';
import {
  type AdmitInput,
  type AdmitOutcome,
  type Allowance,
  type Dimension,
  type InUse,
  type LeaseRef,
  type LimitAlert,
  type LimitBackend,
  type LimitSpec,
  type SettleInput,
  type Views,
  WINDOWED,
  type WindowSpec,
  type WindowView,
} from './types.js';
import { retryAfter, viewOf } from './window.js';

/** Indices of `WINDOWED` as literal types: every per-dimension tuple is read without a check. */
const DIMS = [0, 1, 2, 3] as const;
type DimIndex = (typeof DIMS)[number];

/**
 * One window, as the Lua scripts keep it: bucket amounts, their running total, the oldest bucket
 * still counted (null: nothing yet) and the newest charged bucket (for the reset header).
 */
interface Win {
  readonly b: Map<number, number>;
  total: number;
  lo: number | null;
  newest: number;
}

interface ConsumerState {
  /** Per dimension, per window id. */
  readonly dims: [Map<string, Win>, Map<string, Win>, Map<string, Win>, Map<string, Win>];
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
      const al = input.allowance;
      let fail: Dimension | null = null;
      let retryMs = 0;
      for (const d of DIMS) {
        for (const w of spec.windows[d]) {
          const win = evict(table(s.dims[d], w.id), w, now);
          if (al !== undefined) seed(win, w, al.windows[d], now);
          if (fail === null && win.total + amounts[d] > w.cap) {
            fail = WINDOWED[d];
            retryMs = retryAfter(w, bucketsOf(win, w, now), win.total, amounts[d], now);
          }
        }
      }
      dropExpired(s.leases, now);
      dropExpired(g, now);
      const [maxLeases, maxGlobal] = leaseCaps(spec.concurrency, spec.globalConcurrency, al);
      if (fail === null && s.leases.size >= maxLeases) [fail, retryMs] = ['concurrency', 1_000];
      if (fail === null && g.size >= maxGlobal) [fail, retryMs] = ['globalConcurrency', 1_000];
      if (fail !== null) {
        const views = viewsOf(spec.windows, s, now);
        const inUse: InUse = [s.leases.size, g.size];
        return { ok: false, at: now, views, dimension: fail, retryAfterMs: retryMs, inUse };
      }

      let longest = 0;
      for (const d of DIMS) {
        const a = amounts[d];
        for (const w of spec.windows[d]) {
          longest = Math.max(longest, w.lengthMs + w.bucketMs);
          if (a <= 0) continue;
          const b = Math.floor(now / w.bucketMs);
          // Created by the first loop of this call.
          const win = table(s.dims[d], w.id);
          win.b.set(b, (win.b.get(b) ?? 0) + a);
          win.total += a;
          win.newest = b;
        }
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
      for (const d of DIMS) {
        for (const w of spec.windows[d]) {
          const used = table(s.dims[d], w.id).total;
          if (used >= spec.alertRatio * w.cap && fire(`q${d}${w.id}`, w.lengthMs))
            alerts.push({ kind: 'quota', dimension: WINDOWED[d], window: w.id, used, limit: w.cap });
        }
      }
      // The cost dimension has one window, the hour (spec.ts): the soft cap is checked against it.
      const hour = spec.windows[3][0];
      const spent = hour === undefined ? 0 : table(s.dims[3], hour.id).total;
      if (hour !== undefined && amounts[3] > 0 && spent >= spec.softCostMicros && fire('soft', hour.lengthMs))
        alerts.push({ kind: 'softCap', used: spent, limit: spec.softCostMicros });
      const inUse: InUse = [s.leases.size, g.size];
      return { ok: true, at: now, views: viewsOf(spec.windows, s, now), alerts, inUse };
    },

    async settle(input: SettleInput): Promise<InUse> {
      const now = input.now ?? clock();
      const s = consumers.get(`${input.scope}\u0000${input.consumer}`);
      // A retry corrects the windows only while the lease is held (see SettleInput.retry).
      if (s !== undefined && (input.retry !== true || s.leases.has(input.leaseId))) {
        for (const d of DIMS) {
          const delta = input.deltas[d];
          if (delta === 0) continue;
          for (const w of input.spec.windows[d]) {
            const b = Math.floor(input.at / w.bucketMs);
            const win = s.dims[d].get(w.id);
            // A bucket that already left the window (or was evicted) no longer limits anyone.
            if (win === undefined || win.lo === null || b < win.lo) continue;
            if (b < Math.floor(now / w.bucketMs) - w.lengthMs / w.bucketMs) continue;
            const v = (win.b.get(b) ?? 0) + delta;
            win.total += delta;
            if (v <= 0) {
              win.b.delete(b);
              win.total -= v;
            } else win.b.set(b, v);
          }
        }
      }
      s?.leases.delete(input.leaseId);
      const g = globals.get(input.scope);
      g?.delete(input.leaseId);
      if (s !== undefined) dropExpired(s.leases, now);
      if (g !== undefined) dropExpired(g, now);
      return [s?.leases.size ?? 0, g?.size ?? 0];
    },

    async renew(scope: string, leases: readonly LeaseRef[], ttlMs: number, at: number | null) {
      const now = at ?? clock();
      const g = globals.get(scope);
      for (const l of leases) {
        const own = consumers.get(`${scope}\u0000${l.consumer}`)?.leases;
        for (const set of [own, g]) {
          const exp = set?.get(l.leaseId);
          if (set !== undefined && exp !== undefined && exp > now) set.set(l.leaseId, now + ttlMs);
        }
      }
    },

    async release(scope: string, lease: LeaseRef) {
      consumers.get(`${scope}\u0000${lease.consumer}`)?.leases.delete(lease.leaseId);
      globals.get(scope)?.delete(lease.leaseId);
    },

    async close() {
      clearInterval(sweep);
      consumers.clear();
      globals.clear();
    },
  };
}

/**
 * The `local` posture's seed: the window holds at least `cap - allowance`, charged to the current
 * bucket, so this replica admits at most `allowance` more. Raising the count is conservative: it
 * leaves with the current bucket, a full window from now.
 */
function seed(win: Win, w: WindowSpec, allowance: number, now: number): void {
  if (allowance === Number.POSITIVE_INFINITY) return;
  const missing = w.cap - Math.max(0, allowance) - win.total;
  if (missing <= 0) return;
  const b = Math.floor(now / w.bucketMs);
  win.b.set(b, (win.b.get(b) ?? 0) + missing);
  win.total += missing;
  win.newest = b;
}

function leaseCaps(cc: number, gc: number, al: Allowance | undefined): [number, number] {
  if (al === undefined) return [cc, gc];
  return [Math.min(cc, Math.max(0, al.concurrency)), Math.min(gc, Math.max(0, al.globalConcurrency))];
}

function table(c: Map<string, Win>, id: string): Win {
  let m = c.get(id);
  if (m === undefined) c.set(id, (m = { b: new Map(), total: 0, lo: null, newest: -1 }));
  return m;
}

/**
 * Drops the buckets that left the window (usually none: at most one per bucket length). Bucket
 * keys only ever lie in [lo, lo + n], so a window idle for longer is cleared without reading it.
 */
function evict(win: Win, w: WindowSpec, now: number): Win {
  const n = w.lengthMs / w.bucketMs;
  const low = Math.floor(now / w.bucketMs) - n;
  if (win.lo === null) win.lo = low;
  else if (win.lo < low) {
    if (low - win.lo > n) {
      win.b.clear();
      win.total = 0;
    } else
      for (let b = win.lo; b < low; b++) {
        const v = win.b.get(b);
        if (v !== undefined) {
          win.total -= v;
          win.b.delete(b);
        }
      }
    win.lo = low;
    if (win.newest < low) win.newest = -1;
  }
  return win;
}

/** The live buckets in order: only needed to compute a refusal's retry-after. */
function bucketsOf(win: Win, w: WindowSpec, now: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  // evict() ran first: `lo` is set.
  for (let b = win.lo ?? Math.floor(now / w.bucketMs); b <= Math.floor(now / w.bucketMs); b++) {
    const v = win.b.get(b);
    if (v !== undefined) out.push([b, v]);
  }
  return out;
}

function dropExpired(leases: Map<string, number>, now: number): void {
  for (const [id, exp] of leases) if (exp <= now) leases.delete(id);
}

function viewsOf(windows: LimitSpec['windows'], s: ConsumerState, now: number): Views {
  const binding = (d: DimIndex): WindowView => {
    let best: WindowView | null = null;
    for (const w of windows[d]) {
      const win = table(s.dims[d], w.id);
      const v = viewOf(w, win.total, win.newest, now);
      if (best === null || v.remaining < best.remaining) best = v;
    }
    // spec.ts gives every dimension at least one window.
    if (best === null) throw internalError(`limit spec without a ${WINDOWED[d]} window`);
    return best;
  };
  return [binding(0), binding(1), binding(2), binding(3)];
}
