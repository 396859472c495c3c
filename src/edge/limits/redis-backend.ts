import type { Redis } from 'ioredis';
import { internalError } from '../../pipeline/require.js';
import { RELEASE_LUA, RENEW_LUA, SCRIPT_KEYS, scriptsFor } from './lua.js';
import {
  type AdmitInput,
  type AdmitOutcome,
  DIMENSIONS,
  type InUse,
  type LeaseRef,
  type LimitAlert,
  type LimitBackend,
  type LimitSpec,
  type SettleInput,
  type Views,
  WINDOWED,
  type WindowId,
  type WindowView,
} from './types.js';

type Raw = [number, number, number, number, number[], string[], number, number];
type Call<R> = (...args: (string | number)[]) => Promise<R>;

interface Compiled {
  readonly admit: Call<Raw>;
  readonly settle: Call<[number, number]>;
}

/** A heartbeat call carries at most this many leases (bounded script arguments and run time). */
const RENEW_BATCH = 500;

/**
 * Keys are `<prefix>lim:{<route>}:c:<consumer>` (windows and alert marks), the same with `:cc`
 * (leases) and `<prefix>lim:{<route>}:gc` (the route's leases): the {route} hash tag keeps every key
 * of one admission in one Cluster slot, so the scripts run unchanged on ioredis' Cluster client.
 */
/** The three KEYS of both scripts; exported for the Cluster slot test. */
export function limitKeys(prefix: string, scope: string, consumer: string): [string, string, string] {
  const base = `${prefix}lim:{${scope}}:`;
  // Encoded so that no consumer name can collide with another's keys (`:cc`) or break the tag.
  const own = `${base}c:${encodeURIComponent(consumer)}`;
  return [own, `${own}:cc`, `${base}gc`];
}

export function createRedisBackend(redis: Redis, prefix: string): LimitBackend {
  // One script pair per compiled spec, defined on first use (specs are compiled once at boot).
  const compiled = new WeakMap<LimitSpec, Compiled>();
  let n = 0;
  const compile = (spec: LimitSpec): Compiled => {
    let c = compiled.get(spec);
    if (c !== undefined) return c;
    const s = scriptsFor(spec);
    const id = n++;
    redis.defineCommand(`ghLimAdmit${id}`, { numberOfKeys: SCRIPT_KEYS, lua: s.admit });
    redis.defineCommand(`ghLimSettle${id}`, { numberOfKeys: SCRIPT_KEYS, lua: s.settle });
    const r = redis as unknown as Record<string, Call<unknown>>;
    const admit = r[`ghLimAdmit${id}`];
    const settle = r[`ghLimSettle${id}`];
    if (admit === undefined || settle === undefined)
      throw new Error('ioredis did not define the limiter scripts');
    c = {
      admit: admit.bind(redis) as Call<Raw>,
      settle: settle.bind(redis) as Call<[number, number]>,
    };
    compiled.set(spec, c);
    return c;
  };
  const keysFor = (scope: string, consumer: string) => limitKeys(prefix, scope, consumer);
  redis.defineCommand('ghLimRenew', { lua: RENEW_LUA });
  redis.defineCommand('ghLimRelease', { numberOfKeys: 2, lua: RELEASE_LUA });
  const own = redis as unknown as {
    ghLimRenew(numKeys: number, ...args: (string | number)[]): Promise<number>;
    ghLimRelease(cc: string, gc: string, leaseId: string): Promise<number>;
  };

  return {
    kind: 'redis',
    async admit(input: AdmitInput): Promise<AdmitOutcome> {
      const c = compile(input.spec);
      const [ok, at, fail, retry, flat, rawAlerts, cc, gc] = await c.admit(
        ...keysFor(input.scope, input.consumer),
        input.now ?? '',
        input.leaseId,
        ...input.amounts,
      );
      const views = toViews(flat);
      const inUse: InUse = [cc, gc];
      if (ok !== 1) {
        const dimension = DIMENSIONS[fail];
        if (dimension === undefined) throw internalError(`limiter script: unknown dimension ${fail}`);
        return { ok: false, at, views, dimension, retryAfterMs: retry, inUse };
      }
      return { ok: true, at, views, alerts: rawAlerts.map((a) => toAlert(a, input.spec)), inUse };
    },
    async settle(input: SettleInput): Promise<InUse> {
      const c = compile(input.spec);
      const [cc, gc] = await c.settle(
        ...keysFor(input.scope, input.consumer),
        input.now ?? '',
        input.at,
        input.leaseId,
        ...input.deltas,
        input.retry === true ? '1' : '0',
      );
      return [cc, gc];
    },
    async renew(scope: string, leases: readonly LeaseRef[], ttlMs: number, now: number | null) {
      for (let i = 0; i < leases.length; i += RENEW_BATCH) {
        // KEYS: the route's set first, then each consumer's set once; ARGV pairs point into KEYS.
        const gc = keysFor(scope, '')[2];
        const keys = [gc];
        const index = new Map<string, number>();
        const args: (string | number)[] = [now ?? '', ttlMs];
        for (const l of leases.slice(i, i + RENEW_BATCH)) {
          const cc = keysFor(scope, l.consumer)[1];
          let k = index.get(cc);
          if (k === undefined) {
            keys.push(cc);
            k = keys.length;
            index.set(cc, k);
          }
          args.push(k, l.leaseId);
        }
        await own.ghLimRenew(keys.length, ...keys, ...args);
      }
    },
    async release(scope: string, lease: LeaseRef) {
      const [, cc, gc] = keysFor(scope, lease.consumer);
      await own.ghLimRelease(cc, gc, lease.leaseId);
    },
    async close() {
      // The connection belongs to the store; it closes it.
    },
  };
}

function toView(flat: readonly number[], d: number): WindowView {
  const [limit, remaining, resetMs] = flat.slice(d * 3, d * 3 + 3);
  if (limit === undefined || remaining === undefined || resetMs === undefined)
    throw internalError('limiter script: a reply without the four window views');
  return { limit, remaining, resetMs };
}

function toViews(flat: readonly number[]): Views {
  return [toView(flat, 0), toView(flat, 1), toView(flat, 2), toView(flat, 3)];
}

/** 'q<dim index><window id>:<used>' or 'soft:<used>'. */
function toAlert(raw: string, spec: LimitSpec): LimitAlert {
  const used = Number(raw.slice(raw.indexOf(':') + 1));
  if (raw.startsWith('soft')) return { kind: 'softCap', used, limit: spec.softCostMicros };
  const d = Number(raw[1]);
  const window = raw[2] as WindowId;
  const limit = spec.windows[d as 0 | 1 | 2 | 3].find((w) => w.id === window)?.cap ?? 0;
  const dimension = WINDOWED[d];
  if (dimension === undefined) throw internalError(`limiter script: unknown alert ${raw}`);
  return { kind: 'quota', dimension, window, used, limit };
}
