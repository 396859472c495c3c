import type { Redis } from 'ioredis';
import { ADMIT_LUA, SETTLE_LUA } from './lua.js';
import {
  type AdmitInput,
  type AdmitOutcome,
  DIMENSIONS,
  type LimitAlert,
  type LimitBackend,
  type LimitSpec,
  type SettleInput,
  type Views,
  WINDOWED,
  type WindowId,
} from './types.js';

type Raw = [number, number, number, number, number[], string[]];

interface LimitCommands {
  ghLimAdmit(...args: (string | number)[]): Promise<Raw>;
  ghLimSettle(...args: (string | number)[]): Promise<number>;
}

const SUFFIXES = ['rq', 'it', 'ot', 'co', 'cc'] as const;

/**
 * Keys are `<prefix>lim:{<route>}:<consumer>:<dim>`: the {route} hash tag keeps every key of one
 * admission in one Cluster slot, so the scripts run unchanged on ioredis' Cluster client.
 */
function keysFor(prefix: string, scope: string, consumer: string): string[] {
  const base = `${prefix}lim:{${scope}}:`;
  const c = `${base}c:${consumer}:`;
  return [...SUFFIXES.map((s) => c + s), `${base}gc`, `${c}al`];
}

export function createRedisBackend(redis: Redis, prefix: string): LimitBackend {
  redis.defineCommand('ghLimAdmit', { numberOfKeys: 7, lua: ADMIT_LUA });
  redis.defineCommand('ghLimSettle', { numberOfKeys: 6, lua: SETTLE_LUA });
  const cmd = redis as unknown as LimitCommands;

  return {
    kind: 'redis',
    async admit(input: AdmitInput): Promise<AdmitOutcome> {
      const keys = keysFor(prefix, input.scope, input.consumer);
      const [ok, at, fail, retry, flat, rawAlerts] = await cmd.ghLimAdmit(
        ...keys,
        input.now ?? '',
        input.leaseId,
        ...input.amounts,
        ...input.spec.encoded,
      );
      const views = toViews(flat);
      if (ok !== 1) return { ok: false, at, views, dimension: DIMENSIONS[fail]!, retryAfterMs: retry };
      return { ok: true, at, views, alerts: rawAlerts.map((a) => toAlert(a, input.spec)) };
    },
    async settle(input: SettleInput): Promise<void> {
      const keys = keysFor(prefix, input.scope, input.consumer).slice(0, 6);
      await cmd.ghLimSettle(
        ...keys,
        input.now ?? '',
        input.at,
        input.leaseId,
        ...input.deltas,
        ...input.spec.encoded,
      );
    },
    async close() {
      // The connection belongs to the store; it closes it.
    },
  };
}

function toViews(flat: number[]): Views {
  const out = [];
  for (let d = 0; d < 4; d++)
    out.push({ limit: flat[d * 3]!, remaining: flat[d * 3 + 1]!, resetMs: flat[d * 3 + 2]! });
  return out as unknown as Views;
}

/** 'q<dim index><window id>:<used>' or 'soft:<used>'. */
function toAlert(raw: string, spec: LimitSpec): LimitAlert {
  const used = Number(raw.slice(raw.indexOf(':') + 1));
  if (raw.startsWith('soft')) return { kind: 'softCap', used, limit: spec.softCostMicros };
  const d = Number(raw[1]);
  const window = raw[2] as WindowId;
  const limit = spec.windows[d as 0 | 1 | 2 | 3].find((w) => w.id === window)?.cap ?? 0;
  return { kind: 'quota', dimension: WINDOWED[d]!, window, used, limit };
}
