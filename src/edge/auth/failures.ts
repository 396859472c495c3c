import type { Store } from '../../store/types.js';
import { subscribeChannel } from './subscribe.js';

/**
 * Failed authentications per source IP, counted in the store (`auth:fail:{<ip>}`) so that all
 * replicas add up. Crossing `alertThreshold` within the window is reported once (the guide's alert:
 * more than 10 failures from one IP in a minute); crossing `block.threshold`, when enabled, blocks
 * the IP on every replica for `block.durationMs` (store key + pub/sub, checked in memory per request).
 */
export interface FailureOptions {
  readonly windowMs: number;
  readonly alertThreshold: number;
  readonly block: { readonly enabled: boolean; readonly threshold: number; readonly durationMs: number };
  readonly now?: () => number;
  readonly onError?: (err: unknown) => void;
}

export interface FailureTracker {
  /** Epoch ms until which the IP is blocked, or 0. */
  blockedUntil(ip: string): number;
  /** Counts one failure. Never throws (a store outage must not turn a 401 into a 500). */
  record(ip: string): Promise<FailureCount>;
  close(): Promise<void>;
}

export interface FailureCount {
  readonly count: number;
  /** True for the failure that crossed `alertThreshold`. */
  readonly spike: boolean;
  /** True when this failure blocked the IP. */
  readonly blocked: boolean;
}

export const BLOCK_CHANNEL = 'auth:blocks';
const MAX_BLOCKED = 100_000;

export function createFailureTracker(store: Store, opts: FailureOptions): FailureTracker {
  const now = opts.now ?? Date.now;
  const blocked = new Map<string, number>();
  const note = (ip: string, until: number): void => {
    if (blocked.size >= MAX_BLOCKED) blocked.delete(blocked.keys().next().value as string);
    blocked.set(ip, until);
  };
  const onBlock = (raw: string): void => {
    try {
      const m = JSON.parse(raw) as { ip?: unknown; until?: unknown };
      if (typeof m.ip === 'string' && typeof m.until === 'number') note(m.ip, m.until);
    } catch {
      // not ours
    }
  };
  const subscription = opts.block.enabled
    ? subscribeChannel(store, BLOCK_CHANNEL, onBlock, (err) => opts.onError?.(err))
    : null;

  return {
    blockedUntil(ip) {
      const until = blocked.get(ip);
      if (until === undefined) return 0;
      if (until > now()) return until;
      blocked.delete(ip);
      return 0;
    },
    async record(ip) {
      let n: number;
      try {
        n = await store.incrWindow(`auth:fail:{${ip}}`, opts.windowMs);
      } catch (err) {
        opts.onError?.(err);
        return { count: 0, spike: false, blocked: false };
      }
      const spike = n === opts.alertThreshold + 1;
      if (!opts.block.enabled || n <= opts.block.threshold) return { count: n, spike, blocked: false };
      const until = now() + opts.block.durationMs;
      note(ip, until);
      try {
        await store.set(`auth:block:{${ip}}`, String(until), opts.block.durationMs);
        await store.publish(BLOCK_CHANNEL, JSON.stringify({ ip, until }));
      } catch (err) {
        opts.onError?.(err);
      }
      return { count: n, spike, blocked: true };
    },
    async close() {
      await subscription?.close();
      blocked.clear();
    },
  };
}
