import { randomUUID } from 'node:crypto';
import type { AlertsConfig } from '../../config/schema/telemetry.js';
import type { Store } from '../../store/types.js';
import type { AlertRecord } from '../audit/security.js';
import type { AlertGauges } from '../metrics.js';
import { Baseline, type BaselineState } from './baseline.js';
import {
  type BucketData,
  type BucketMessage,
  bump,
  emptyBucket,
  latencySlot,
  MAX_KEYS,
  modeKey,
  sumWindow,
} from './buckets.js';
import { createClaimer } from './claim.js';
import { type AlertHealth, alertHealth } from './health.js';
import {
  type Observation,
  parseQuotaKey,
  quotaKey,
  SIGNAL_NAMES,
  SIGNALS,
  type SignalName,
} from './signals.js';

/**
 * The alert engine. Inputs land in this replica's open bucket; at each tick closed buckets are
 * published on the store's `telemetry:buckets` channel, every replica merges every replica's
 * buckets, and each signal is evaluated over the merged window. An alert fires after its condition
 * has held for `forMs`, carries its severity, is sent once per transition (firing, resolved) and
 * resolves when the condition clears. Replicas evaluate the same data, so the first to claim a
 * transition in the store (`incrWindow`) sends it; the others stay quiet.
 */
export interface AlertEngineOptions {
  readonly config: AlertsConfig;
  readonly store: Store;
  readonly now?: () => number;
  readonly replica?: string;
  /** Called once per transition, on the replica that claimed it. */
  readonly notify: (alert: AlertRecord) => void | Promise<void>;
  readonly onError?: (err: unknown) => void;
  /** Tick on a timer every `evaluateIntervalMs` (default true; tests drive `tick()` themselves). */
  readonly autoTick?: boolean;
}

export interface AlertEngine {
  observeRequest(o: { status: number; latencyMs: number; tokens: number; blocked: boolean }): void;
  observeAuthFailure(sourceIp: string): void;
  observeUnknownConsumer(sourceIp: string): void;
  observeQuota(consumer: string, dimension: string, ratio: number): void;
  observeGpu(ratio: number): void;
  /** Running totals of a sink's drops and its full flag (the engine takes the difference). */
  observeSpool(sink: string, droppedTotal: number, full: boolean): void;
  /**
   * A route's PACE state on this replica (every transition): Alternate and Contingency are held
   * (carried in each bucket until the route leaves them); Primary and Emergency clear it (Emergency
   * is the kill switch's own alert).
   */
  observePace(route: string, state: string, reason: string): void;
  /** A kill-switch entry engaged (held until released) or released. */
  observeKill(scope: string, target: string, engaged: boolean, detail: string): void;
  observeEgressDenial(identity: string): void;
  /** Publishes closed buckets and evaluates every signal (the timer calls it; tests call it). */
  tick(): Promise<void>;
  firing(): AlertRecord[];
  /** Whether each signal evaluates now, waits for its baseline, or is switched off. */
  signalStates(): SignalState[];
  /** The health port's `/health/alerts` body. */
  health(): AlertHealth;
  gauges(): AlertGauges;
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A signal's state, for the health port and `gatehouse_alert_signal_state`. `warming_up`: its
 * baseline has less than `baseline.warmupMs` of calm history, so the signal cannot fire yet; `until`
 * is the earliest time it can (history accrues only from evaluations with enough traffic).
 */
export interface SignalState {
  readonly signal: SignalName;
  readonly state: 'evaluating' | 'warming_up' | 'disabled';
  readonly until: number | null;
}

interface AlertState {
  status: 'pending' | 'firing';
  since: number;
  firedAt: number;
}

const CHANNEL = 'telemetry:buckets';
const KEY = '{gh-telemetry}';

export function createAlertEngine(opts: AlertEngineOptions): AlertEngine {
  const cfg = opts.config;
  const now = opts.now ?? Date.now;
  const replica = opts.replica ?? randomUUID();
  const store = opts.store;
  const signals = SIGNAL_NAMES.filter((s) => cfg.signals[SIGNALS[s].configKey].enabled);
  const windowOf = (s: SignalName): number => cfg.signals[SIGNALS[s].configKey].windowMs;
  const horizon = Math.max(...SIGNAL_NAMES.map(windowOf)) + 2 * cfg.bucketMs;
  const baselines = new Map<SignalName, Baseline>();
  for (const s of signals)
    if (SIGNALS[s].baselineSample !== undefined)
      baselines.set(s, new Baseline(cfg.baseline.halfLifeMs, cfg.baseline.warmupMs));

  /** All replicas' closed buckets: `replica|t` → data (set, not added: re-delivery is harmless). */
  const view = new Map<string, { t: number; d: BucketData }>();
  const states = new Map<string, AlertState>();
  const last = new Map<string, AlertRecord>();
  const spoolSeen = new Map<string, number>();
  /** States this replica holds now: each new bucket starts with them (a held state is not a count). */
  const heldPace = new Map<string, { key: string; why: string }>();
  const heldKill = new Map<string, string>();
  const seeded = (): BucketData => {
    const b = emptyBucket();
    const pace: Record<string, string> = {};
    const kill: Record<string, string> = {};
    for (const { key, why } of heldPace.values()) pace[key] = why;
    for (const [k, detail] of heldKill) kill[k] = detail;
    b.pace = pace;
    b.kill = kill;
    return b;
  };
  let openT = Math.floor(now() / cfg.bucketMs) * cfg.bucketMs;
  let open = seeded();
  let unsubscribe: (() => Promise<void>) | null = null;
  let retry: NodeJS.Timeout | null = null;
  let joining = false;
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<void> | null = null;
  const fail = opts.onError ?? (() => {});

  const current = (): BucketData => {
    const t = Math.floor(now() / cfg.bucketMs) * cfg.bucketMs;
    if (t !== openT) rollTo(t);
    return open;
  };
  const closed: BucketMessage[] = [];
  /** Closes the open bucket and every empty one up to `t`: quiet periods must count as quiet. */
  const rollTo = (t: number): void => {
    closed.push({ v: 1, replica, t: openT, d: open });
    for (let x = Math.max(openT + cfg.bucketMs, t - horizon); x < t; x += cfg.bucketMs)
      closed.push({ v: 1, replica, t: x, d: seeded() });
    open = seeded();
    openT = t;
  };

  const merge = (m: BucketMessage): void => {
    if (m.v !== 1 || typeof m.t !== 'number' || m.t < now() - horizon) return;
    view.set(`${m.replica}|${m.t}`, { t: m.t, d: m.d });
  };

  const windowItems = (windowMs: number, t: number): Array<{ t: number; d: BucketData }> => {
    const out: Array<{ t: number; d: BucketData }> = [];
    for (const it of view.values()) if (it.t >= t - windowMs && it.t + cfg.bucketMs <= t) out.push(it);
    return out;
  };

  const claimer = createClaimer({
    store,
    prefix: KEY,
    replica,
    bucketMs: cfg.bucketMs,
    evaluateIntervalMs: cfg.evaluateIntervalMs,
  });

  const send = async (a: AlertRecord): Promise<void> => {
    if (
      await claimer.claim(a.fingerprint, a.status, a.status === 'firing' ? a.startsAt : (a.endsAt ?? now()))
    )
      await Promise.resolve(opts.notify(a)).catch(fail);
  };

  const saveBaselines = async (): Promise<void> => {
    const snap: Record<string, BaselineState> = {};
    for (const [s, b] of baselines) {
      const v = b.snapshot();
      if (v !== null) snap[s] = v;
    }
    await store.set(`${KEY}:baselines`, JSON.stringify(snap), 7 * 86_400_000).catch(() => {});
  };

  const evaluate = async (t: number): Promise<void> => {
    const transitions: AlertRecord[] = [];
    /** Alerts still firing: re-marked live in the store so a restart does not take them for new. */
    const held: string[] = [];
    for (const s of signals) {
      const def = SIGNALS[s];
      const sc = cfg.signals[def.configKey];
      const items = windowItems(sc.windowMs, t);
      const w = sumWindow(items);
      const covered = w.buckets * cfg.bucketMs;
      const b = baselines.get(s);
      const obs = def.evaluate(w, sc, { ready: b?.ready ?? false, value: b?.value ?? null }, covered);
      const seen = new Set<string>();
      const current = new Map<string, Observation>();
      for (const o of obs) {
        const fp = `${s}:${o.key}`;
        current.set(fp, o);
        if (!o.breached) continue;
        seen.add(fp);
        const rec = (startsAt: number): AlertRecord => ({
          signal: s,
          fingerprint: fp,
          severity: sc.severity,
          status: 'firing',
          value: o.value,
          threshold: o.threshold,
          baseline: o.baseline,
          startsAt,
          endsAt: null,
          summary: o.summary,
          labels: o.labels,
        });
        let cur = states.get(fp);
        if (cur === undefined) {
          cur = { status: 'pending', since: t, firedAt: 0 };
          states.set(fp, cur);
        }
        if (cur.status === 'pending' && t - cur.since >= sc.forMs) {
          cur.status = 'firing';
          cur.firedAt = t;
          transitions.push(rec(t));
        } else if (cur.status === 'firing') held.push(fp);
        if (cur.status === 'firing') last.set(fp, rec(cur.firedAt));
      }
      for (const [fp, st] of states) {
        if (!fp.startsWith(`${s}:`) || seen.has(fp)) continue;
        states.delete(fp);
        const prev = last.get(fp);
        last.delete(fp);
        if (st.status !== 'firing' || prev === undefined) continue;
        // The value now, not the one that fired: a resolved notice says what cleared it.
        const o = current.get(fp);
        transitions.push({
          ...prev,
          status: 'resolved',
          endsAt: t,
          value: o !== undefined ? o.value : (def.clearValue ?? null),
          ...(o !== undefined && { summary: o.summary, baseline: o.baseline }),
        });
      }
      // Learn only from calm periods: an incident (pending or firing) must not become the baseline.
      const sample = def.baselineSample?.(w, sc, covered) ?? null;
      if (b !== undefined && sample !== null && seen.size === 0) b.update(sample, t);
    }
    for (const a of transitions) await send(a);
    for (const fp of held) await claimer.heartbeat(fp);
  };

  const signalStates = (t: number): SignalState[] =>
    SIGNAL_NAMES.map((signal) => {
      if (!signals.includes(signal)) return { signal, state: 'disabled', until: null };
      const left = baselines.get(signal)?.remainingMs ?? 0;
      return left > 0
        ? { signal, state: 'warming_up', until: t + left }
        : { signal, state: 'evaluating', until: null };
    });

  const tickOnce = async (): Promise<void> => {
    current();
    const t = now();
    const out = closed.splice(0);
    for (const m of out) {
      merge(m);
      await store.publish(CHANNEL, JSON.stringify(m)).catch(fail);
    }
    for (const [k, it] of view) if (it.t < t - horizon) view.delete(k);
    await evaluate(t);
    if (baselines.size > 0) await saveBaselines();
  };

  // Ticks never overlap: a slow store round trip delays the next one instead.
  const tick = (): Promise<void> => {
    const p = (ticking ?? Promise.resolve()).then(tickOnce, tickOnce);
    ticking = p.catch(fail);
    return p;
  };

  return {
    observeRequest(o) {
      const b = current();
      b.requests++;
      if (o.status >= 500) b.errors5xx++;
      const slot = latencySlot(o.latencyMs);
      b.lat[slot] = (b.lat[slot] ?? 0) + 1;
      b.tokens += o.tokens;
      if (o.blocked) b.blocks++;
    },
    observeAuthFailure: (ip) => bump(current().authFail, ip),
    observeUnknownConsumer: (ip) => bump(current().unknown, ip),
    observeQuota(consumer, dimension, ratio) {
      const q = current().quota;
      const k = quotaKey(consumer, dimension);
      const cur = q[k];
      if (cur !== undefined) q[k] = Math.max(cur, ratio);
      else if (Object.keys(q).length < 2_048) q[k] = ratio;
    },
    observeGpu(ratio) {
      const b = current();
      b.gpu = Math.max(b.gpu, ratio);
    },
    observeSpool(sink, droppedTotal, full) {
      const prev = spoolSeen.get(sink) ?? droppedTotal;
      spoolSeen.set(sink, droppedTotal);
      const b = current();
      if (droppedTotal > prev) bump(b.spoolDrops, sink, droppedTotal - prev);
      b.spoolFull[sink] = full || (b.spoolFull[sink] ?? false);
    },
    observePace(route, state, reason) {
      const b = current();
      if (state === 'primary' || state === 'emergency') {
        heldPace.delete(route);
        return;
      }
      if (!heldPace.has(route) && heldPace.size >= MAX_KEYS) return;
      const key = modeKey(route, state);
      heldPace.set(route, { key, why: reason });
      // Into the open bucket too: a state entered and left within one bucket still alerts.
      (b.pace ??= {})[key] = reason;
    },
    observeKill(scope, target, engaged, detail) {
      const b = current();
      const key = modeKey(scope, target);
      if (!engaged) {
        heldKill.delete(key);
        return;
      }
      if (!heldKill.has(key) && heldKill.size >= MAX_KEYS) return;
      heldKill.set(key, detail);
      (b.kill ??= {})[key] = detail;
    },
    observeEgressDenial(identity) {
      const b = current();
      bump((b.egressDeny ??= {}), identity);
    },
    tick,
    firing: () => [...last.values()],
    signalStates: () => signalStates(now()),
    health: () => alertHealth(signalStates(now()), [...last.values()]),
    gauges() {
      const t = now();
      const auth = sumWindow(windowItems(windowOf('auth_failures'), t)).authFail;
      const quota = sumWindow(windowItems(windowOf('quota'), t)).quota;
      const byDim = new Map<string, number>();
      for (const [k, r] of quota) {
        const dim = parseQuotaKey(k)[1];
        byDim.set(dim, Math.max(byDim.get(dim) ?? 0, r));
      }
      return {
        authFailuresMaxPerIp: Math.max(0, ...auth.values()),
        quotaMaxRatio: [...byDim].map(([dimension, ratio]) => ({ dimension, ratio })),
        signals: signalStates(t).map((x) => ({
          signal: x.signal,
          state: x.state,
          remainingMs: x.until === null ? 0 : x.until - t,
        })),
      };
    },
    async start() {
      const onMessage = (msg: string) => {
        try {
          const m = JSON.parse(msg) as BucketMessage;
          if (m.replica !== replica) merge(m);
        } catch (err) {
          fail(err);
        }
      };
      // A store that is down at boot must not hold the start: this replica alerts on its own
      // traffic and joins the others' buckets once a retry (each evaluation interval) subscribes.
      const join = async (): Promise<boolean> => {
        try {
          unsubscribe = await store.subscribe(CHANNEL, onMessage);
          return true;
        } catch (err) {
          fail(err);
          return false;
        }
      };
      if (!(await join())) {
        retry = setInterval(() => {
          if (joining) return;
          joining = true;
          void join().then((ok) => {
            joining = false;
            if (ok && retry !== null) clearInterval(retry);
          });
        }, cfg.evaluateIntervalMs);
        retry.unref();
      }
      try {
        const raw = await store.get(`${KEY}:baselines`);
        if (raw !== null)
          for (const [s, st] of Object.entries(JSON.parse(raw) as Record<string, BaselineState>))
            baselines.get(s as SignalName)?.restore(st);
      } catch (err) {
        fail(err);
      }
      if (opts.autoTick !== false) {
        timer = setInterval(() => void tick().catch(fail), cfg.evaluateIntervalMs);
        timer.unref();
      }
    },
    async close() {
      if (timer !== null) clearInterval(timer);
      if (retry !== null) clearInterval(retry);
      await ticking;
      await unsubscribe?.();
    },
  };
}
