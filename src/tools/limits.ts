import type { ToolServerConfig } from '../config/schema/tools.js';
import type { Tier } from '../identity.js';
import type { KeyedLimit, KeyedLimiter, KeyedRelease } from '../pipeline/keyed-limits.js';
import { internalError } from '../pipeline/require.js';
import { exposedName } from './names.js';

/** A lease outlives the tool's timeout by this much before it expires on its own. */
const LEASE_GRACE_MS = 10_000;
/** The key of the per-tool totals (every consumer together): no consumer name is empty. */
const EVERYONE = '';
const CODES = { rate: 'GH_ERR_TOOL_RATE', concurrency: 'GH_ERR_TOOL_CONCURRENCY' } as const;

interface Compiled {
  readonly perConsumer: KeyedLimit | null;
  readonly total: KeyedLimit | null;
}

export interface ToolLimits {
  /** Admits one call (per consumer, then the tool's totals) or throws its 429; returns the release. */
  acquire(name: string, consumer: string, tier: Tier, requestId: string): Promise<KeyedRelease>;
}

const NOTHING: KeyedRelease = () => {};

/**
 * Per-tool limits through the main limiter (src/edge/limits, the same store, scripts, leases and
 * store-down postures as model routes), compiled once at boot: per consumer on scope
 * `tool:<server.tool>`, and for everyone together on `tool-total:<server.tool>`.
 */
export function createToolLimits(
  servers: readonly ToolServerConfig[],
  keyed: KeyedLimiter | undefined,
): ToolLimits {
  const compiled = new Map<string, Compiled>();
  for (const s of servers)
    for (const t of s.tools) {
      const l = t.limits;
      if (l === undefined) continue;
      if (keyed === undefined)
        throw internalError(`tool ${s.name}.${t.name} declares limits but limits are disabled`);
      const name = exposedName(s.name, t.name);
      const leaseMs = (t.timeoutMs ?? s.timeoutMs) + LEASE_GRACE_MS;
      const one = l.rate !== undefined || l.concurrency !== undefined;
      const all = l.totalRate !== undefined || l.totalConcurrency !== undefined;
      compiled.set(name, {
        perConsumer: one
          ? keyed.compile(`tool:${name}`, { rate: l.rate, concurrency: l.concurrency, leaseMs, codes: CODES })
          : null,
        total: all
          ? keyed.compile(`tool-total:${name}`, {
              rate: l.totalRate,
              concurrency: l.totalConcurrency,
              leaseMs,
              codes: CODES,
            })
          : null,
      });
    }
  return {
    async acquire(name, consumer, tier, requestId) {
      const c = compiled.get(name);
      if (c === undefined) return NOTHING;
      const mine = c.perConsumer === null ? NOTHING : await c.perConsumer.admit(consumer, tier, requestId);
      if (c.total === null) return mine;
      try {
        const theirs = await c.total.admit(EVERYONE, tier, requestId);
        return () => {
          mine();
          theirs();
        };
      } catch (err) {
        mine();
        throw err;
      }
    },
  };
}
