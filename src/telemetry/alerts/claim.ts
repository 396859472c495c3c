import type { Store } from '../../store/types.js';

/**
 * Who sends a transition (firing, resolved) when every replica sees it. Each fingerprint has a
 * transition log in the store: `n`, the number of transitions sent so far (odd while firing), and
 * `e`, the evaluation bucket of the last one. A replica turns its transition into the next number
 * and claims that number with `incrWindow`; the first claimant sends.
 *
 * Numbers, not time slots: a slot cannot tell "another replica sent this very transition" from "an
 * earlier transition of the same kind was sent" — a re-fire shortly after a resolve was taken for
 * the former and stayed silent. Here:
 * - the store already shows this status (another replica sent it, or this one restarted during the
 *   episode): quiet, unless no replica has reported the alert firing for a while (`live` expired:
 *   every replica that held the episode is gone), then it is a new episode; or unless this replica
 *   sent the firing while the store was down (so the log never saw it), then its resolve is new;
 * - the store shows the other status but from a later or the same evaluation bucket: this replica
 *   lags one evaluation behind one that already went further: quiet;
 * - otherwise the next number; the `incrWindow` race leaves one sender.
 * A replica's own transitions always alternate, so a re-fire in the bucket of its own resolve (an
 * evaluation interval shorter than a bucket) is still new.
 */
export interface TransitionClaimer {
  claim(fp: string, status: 'firing' | 'resolved', t: number): Promise<boolean>;
  /** Marks the alert as held by a live replica (called every evaluation while it fires). */
  heartbeat(fp: string): Promise<void>;
}

interface LogEntry {
  readonly n: number;
  readonly e: number;
  readonly replica: string;
}

/** The log outlives any episode; claims only need to outlive the race between replicas. */
const LOG_TTL_MS = 30 * 86_400_000;
const CLAIM_TTL_MS = 3_600_000;

export function createClaimer(o: {
  readonly store: Store;
  readonly prefix: string;
  readonly replica: string;
  readonly bucketMs: number;
  readonly evaluateIntervalMs: number;
}): TransitionClaimer {
  const key = (fp: string, part: string): string => `${o.prefix}:alert:${fp}:${part}`;
  // A firing alert is re-marked at every evaluation: three missed evaluations mean nobody holds it.
  const liveTtl = 3 * o.evaluateIntervalMs + o.bucketMs;

  const read = async (fp: string): Promise<LogEntry> => {
    const raw = await o.store.get(key(fp, 'log'));
    const [n, e, replica] = (raw ?? '').split('|');
    const nn = Number(n);
    const ee = Number(e);
    return Number.isInteger(nn) && nn > 0 && Number.isFinite(ee)
      ? { n: nn, e: ee, replica: replica ?? '' }
      : { n: 0, e: Number.NEGATIVE_INFINITY, replica: '' };
  };

  /** Firings sent without the store (fail-open): their resolve must not be taken for a repeat. */
  const unlogged = new Set<string>();

  return {
    async claim(fp, status, t) {
      const e = Math.floor(t / o.bucketMs);
      try {
        const cur = await read(fp);
        const wasUnlogged = unlogged.has(fp);
        if (status === 'resolved') unlogged.delete(fp);
        const curFiring = cur.n % 2 === 1;
        let next: number;
        if ((status === 'firing') === curFiring) {
          // A resolve of an unlogged firing is new unless one was logged in this bucket or later.
          if (
            status === 'resolved' ? !wasUnlogged || e <= cur.e : (await o.store.get(key(fp, 'live'))) !== null
          )
            return false;
          next = cur.n + 2;
        } else {
          if (cur.replica !== o.replica && e <= cur.e) return false;
          next = cur.n + 1;
        }
        if ((await o.store.incrWindow(key(fp, String(next)), CLAIM_TTL_MS)) !== 1) return false;
        await o.store.set(key(fp, 'log'), `${next}|${e}|${o.replica}`, LOG_TTL_MS);
        if (status === 'firing') await o.store.set(key(fp, 'live'), '1', liveTtl);
        unlogged.delete(fp);
        return true;
      } catch {
        // Alerting fails open: a duplicate notification beats a silent incident.
        if (status === 'firing') unlogged.add(fp);
        else unlogged.delete(fp);
        return true;
      }
    },
    async heartbeat(fp) {
      await o.store.set(key(fp, 'live'), '1', liveTtl).catch(() => {});
    },
  };
}
