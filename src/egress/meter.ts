import type { Store } from '../store/types.js';
import type { EgressIdentity } from './policy.js';

const MINUTE_MS = 60_000;

/**
 * Per-identity limits. Connections are counted in the shared store (every replica's proxy draws on
 * the same minute); bytes are counted here, per replica, because a tunnel moves bytes in many
 * small chunks and a store round trip per chunk would cost more than the copy.
 */
export class EgressMeter {
  private readonly bytes = new Map<string, { windowStart: number; used: number }>();

  constructor(
    private readonly store: Store,
    private readonly prefix: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a new connection; false when the identity's minute is used up. */
  async admitConnection(identity: EgressIdentity): Promise<boolean> {
    const n = await this.store.incrWindow(`${this.prefix}egress:conn:${identity.id}`, MINUTE_MS);
    return n <= identity.limits.connectionsPerMinute && this.bytesLeft(identity) > 0;
  }

  /** Adds bytes moved; false once the identity's bytes for the minute are used up. */
  addBytes(identity: EgressIdentity, n: number): boolean {
    const t = this.now();
    let w = this.bytes.get(identity.id);
    if (!w || t - w.windowStart >= MINUTE_MS) {
      w = { windowStart: t, used: 0 };
      this.bytes.set(identity.id, w);
    }
    w.used += n;
    return w.used <= identity.limits.bytesPerMinute;
  }

  private bytesLeft(identity: EgressIdentity): number {
    const w = this.bytes.get(identity.id);
    if (!w || this.now() - w.windowStart >= MINUTE_MS) return identity.limits.bytesPerMinute;
    return identity.limits.bytesPerMinute - w.used;
  }
}
