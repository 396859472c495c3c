import type { ToolConfig } from '../config/schema/tools.js';
import { GatehouseError } from '../errors/gatehouse-error.js';
import type { Store } from '../store/types.js';

/**
 * Per-tool rate (calls per minute per consumer, counted in the shared store so every replica sees
 * the same count) and concurrency (calls in flight per replica). Returns the release function.
 */
export function createToolLimits(store: Store) {
  const inflight = new Map<string, number>();
  return {
    async acquire(name: string, tool: ToolConfig, consumer: string): Promise<() => void> {
      if (tool.ratePerMinute !== undefined && tool.ratePerMinute > 0) {
        const n = await store.incrWindow(
          `tools:rate:${name}:${consumer}:${Math.floor(Date.now() / 60_000)}`,
          60_000,
        );
        if (n > tool.ratePerMinute)
          throw new GatehouseError('GH_ERR_TOOL_RATE', { headers: { 'retry-after': '60' } });
      }
      const cap = tool.concurrency;
      if (cap === undefined) return () => {};
      const now = inflight.get(name) ?? 0;
      if (now >= cap) throw new GatehouseError('GH_ERR_TOOL_CONCURRENCY');
      inflight.set(name, now + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        inflight.set(name, (inflight.get(name) ?? 1) - 1);
      };
    },
  };
}

export type ToolLimits = ReturnType<typeof createToolLimits>;
