import type { Logger } from 'pino';
import type { InUse, LeaseRef, LimitBackend, SettleInput } from './types.js';

/**
 * The replica's side of its concurrency leases on the shared store (issue 10, finding 4).
 *
 * - A lease lives `ttlMs` (seconds, not the route timeout) unless its owner renews it. One
 *   heartbeat per replica renews every live lease it holds, batched per route (one script call per
 *   route per beat), every `ttlMs / 3`: a crashed or frozen replica's slots come back within `ttlMs`.
 * - An admission whose reply never came may still have been applied (Redis runs it when it wakes
 *   up): its lease is released by id once Redis answers again. The release travels on the same
 *   connection after the admission, so Redis runs it after the admission, whatever the order of
 *   the outage.
 * - A settlement whose reply never came is retried until confirmed, as an idempotent retry (the
 *   lease is the token: see SettleInput.retry); its lease keeps being renewed meanwhile, so the
 *   retry still finds it if the first attempt never ran.
 * Both queues are bounded: beyond `MAX_PENDING` the oldest entry is dropped (its lease then
 * expires after `ttlMs`; a dropped settlement leaves its reservation charged, never under-counted).
 */
const MAX_PENDING = 10_000;
/** Retries run this often while something waits (and cost nothing while nothing does). */
const RECONCILE_MS = 250;
/** At most this many retries in flight per round: an outage must not flood Redis when it returns. */
const RECONCILE_BATCH = 500;

export interface LeaseKeeper {
  /**
   * A shared admission succeeded: renew its lease until its settlement is confirmed, but never past
   * `untilMs` (local clock; the route's timeout plus grace): a request that somehow never settles
   * cannot hold its slot for ever.
   */
  hold(scope: string, lease: LeaseRef, untilMs: number): void;
  /** The settlement is confirmed: stop renewing. */
  drop(scope: string, leaseId: string): void;
  /** An admission's reply never came: release its lease by id once Redis answers. */
  releaseLater(scope: string, lease: LeaseRef): void;
  /** A settlement's reply never came: retry it until confirmed; `done` gets the leases then held. */
  settleLater(input: SettleInput, done: (inUse: InUse) => void): void;
  /** Live leases, releases and settlements waiting (tests and metrics). */
  counts(): { live: number; releases: number; settles: number };
  close(): void;
}

export interface LeaseKeeperOptions {
  readonly backend: LimitBackend;
  readonly ttlMs: number;
  /** The shared clock for lease scores: null lets Redis use its own. */
  readonly now: () => number | null;
  readonly log: Logger;
  /** Local clock for `hold`'s bound. */
  readonly clock: () => number;
}

interface Held {
  readonly lease: LeaseRef;
  readonly until: number;
}

interface PendingSettle {
  readonly input: SettleInput;
  readonly done: (inUse: InUse) => void;
}

export function createLeaseKeeper(o: LeaseKeeperOptions): LeaseKeeper {
  const live = new Map<string, Map<string, Held>>();
  const releases = new Map<string, { scope: string; lease: LeaseRef }>();
  const settles = new Map<string, PendingSettle>();
  let beating = false;
  let reconciling = false;
  let warned = false;

  const drop = (scope: string, leaseId: string) => {
    const m = live.get(scope);
    m?.delete(leaseId);
    if (m?.size === 0) live.delete(scope);
  };

  /** Queues `value`; returns the entry pushed out when the queue was full. */
  const bounded = <V>(m: Map<string, V>, key: string, value: V): V | undefined => {
    m.delete(key);
    m.set(key, value);
    if (m.size <= MAX_PENDING) return undefined;
    const [oldest, out] = m.entries().next().value as [string, V];
    m.delete(oldest);
    if (!warned) {
      warned = true;
      o.log.warn({ max: MAX_PENDING }, 'limits reconciliation queue full: oldest entries left to expire');
    }
    return out;
  };

  const beat = async () => {
    if (beating || live.size === 0) return;
    beating = true;
    try {
      const t = o.clock();
      const jobs: Promise<void>[] = [];
      for (const [scope, held] of live) {
        const leases: LeaseRef[] = [];
        for (const [id, h] of held) {
          if (h.until > t) leases.push(h.lease);
          else held.delete(id);
        }
        if (held.size === 0) live.delete(scope);
        if (leases.length > 0) jobs.push(o.backend.renew(scope, leases, o.ttlMs, o.now()));
      }
      await Promise.allSettled(jobs);
    } finally {
      beating = false;
    }
  };

  const reconcile = async () => {
    if (reconciling || (releases.size === 0 && settles.size === 0)) return;
    reconciling = true;
    try {
      const jobs: Promise<void>[] = [];
      for (const [id, r] of releases) {
        if (jobs.length >= RECONCILE_BATCH) break;
        jobs.push(
          o.backend.release(r.scope, r.lease).then(() => {
            releases.delete(id);
          }),
        );
      }
      for (const [id, p] of settles) {
        if (jobs.length >= RECONCILE_BATCH) break;
        jobs.push(
          o.backend.settle({ ...p.input, now: o.now(), retry: true }).then((inUse) => {
            settles.delete(id);
            drop(p.input.scope, id);
            p.done(inUse);
          }),
        );
      }
      // Failures stay queued for the next round.
      await Promise.allSettled(jobs);
    } finally {
      reconciling = false;
    }
  };

  const heartbeat = setInterval(() => void beat(), Math.max(100, Math.floor(o.ttlMs / 3)));
  heartbeat.unref();
  const retry = setInterval(() => void reconcile(), RECONCILE_MS);
  retry.unref();

  return {
    hold(scope, lease, untilMs) {
      let m = live.get(scope);
      if (m === undefined) live.set(scope, (m = new Map()));
      m.set(lease.leaseId, { lease, until: untilMs });
    },
    drop,
    releaseLater(scope, lease) {
      bounded(releases, lease.leaseId, { scope, lease });
    },
    settleLater(input, done) {
      // A settlement pushed out is given up: stop renewing its lease, which then expires.
      const out = bounded(settles, input.leaseId, { input, done });
      if (out !== undefined) drop(out.input.scope, out.input.leaseId);
    },
    counts() {
      let n = 0;
      for (const m of live.values()) n += m.size;
      return { live: n, releases: releases.size, settles: settles.size };
    },
    close() {
      clearInterval(heartbeat);
      clearInterval(retry);
    },
  };
}
