import type { Logger } from 'pino';
import type { CanaryRouteConfig } from '../config/schema/canary.js';
import type { Store } from '../store/types.js';

/**
 * A canary's state, in the store so every replica serves the same split: written by the evaluator
 * (rollback) and the admin routes (promote, rollback, set weight), published on one channel and
 * re-read every `pollMs` (a replica that missed the message, or reconnected, still converges).
 */
export const CANARY_STATUSES = ['running', 'rolled_back', 'promoted'] as const;
export type CanaryStatus = (typeof CANARY_STATUSES)[number];

export interface CanaryState {
  /** A new generation starts fresh counts (a restart after a rollback). */
  readonly generation: number;
  readonly status: CanaryStatus;
  /** Percent of consumers on the canary (0 after a rollback; 100 once promoted). */
  readonly weight: number;
  /** Index into the route's `stages` reached by promotion; -1 at the starting weight. */
  readonly stage: number;
  readonly reason: string | null;
  /** Who made the last change (`auto` for the evaluator). */
  readonly by: string | null;
  readonly at: number;
  /** Once promoted: until when the old deployment is the hot standby a rollback returns to. */
  readonly standbyUntil: number | null;
}

export function initialState(cfg: CanaryRouteConfig): CanaryState {
  return {
    generation: 1,
    status: 'running',
    weight: cfg.weight,
    stage: -1,
    reason: null,
    by: null,
    at: 0,
    standbyUntil: null,
  };
}

export const CHANNEL = 'canary:state';
export const stateKey = (route: string) => `canary:state:{${route}}`;

function parse(raw: string | null): CanaryState | null {
  if (raw === null) return null;
  try {
    const v = JSON.parse(raw) as Partial<CanaryState>;
    if (typeof v.generation !== 'number' || typeof v.weight !== 'number' || typeof v.status !== 'string')
      return null;
    if (!(CANARY_STATUSES as readonly string[]).includes(v.status)) return null;
    return v as CanaryState;
  } catch {
    return null;
  }
}

export interface CanaryControl {
  readonly route: string;
  readonly cfg: CanaryRouteConfig;
  /** The state this replica serves with (synchronous: read per request). */
  current(): CanaryState;
  /** Re-reads the store. */
  refresh(): Promise<CanaryState>;
  /** Writes a new state, applies it here at once and tells every replica. */
  write(next: CanaryState): Promise<void>;
}

export function createControl(
  store: Store,
  cfg: CanaryRouteConfig,
  log: Logger,
  onChange: (s: CanaryState, prev: CanaryState) => void,
): CanaryControl {
  let state = initialState(cfg);
  const apply = (s: CanaryState) => {
    const prev = state;
    state = s;
    if (prev.generation !== s.generation || prev.status !== s.status || prev.weight !== s.weight)
      onChange(s, prev);
  };
  return {
    route: cfg.route,
    cfg,
    current: () => state,
    async refresh() {
      try {
        const s = parse(await store.get(stateKey(cfg.route)));
        // A read issued before this replica's own write must not undo it: newest write wins.
        if (
          s !== null &&
          (s.generation > state.generation || (s.generation === state.generation && s.at >= state.at))
        )
          apply(s);
      } catch (err) {
        // The last state known stays in force (a rolled-back canary stays down) until the store answers.
        log.warn({ route: cfg.route, err: String(err) }, 'canary state read failed');
      }
      return state;
    },
    async write(next) {
      apply(next);
      await store.set(stateKey(cfg.route), JSON.stringify(next), 0);
      await store.publish(CHANNEL, cfg.route);
    },
  };
}
