import type { AlertRecord } from '../audit/security.js';
import type { SignalState } from './engine.js';

/**
 * The health port's `/health/alerts` body: each signal's state and, while a baseline warms up, the
 * earliest time it can fire; plus the alerts firing now (signal, severity, since). No values,
 * labels or thresholds: the health port answers anyone who can reach it.
 */
export interface AlertHealth {
  readonly signals: ReadonlyArray<{ signal: string; state: SignalState['state']; until?: string }>;
  readonly firing: ReadonlyArray<{ signal: string; severity: string; since: string }>;
}

export function alertHealth(states: readonly SignalState[], firing: readonly AlertRecord[]): AlertHealth {
  return {
    signals: states.map((s) => ({
      signal: s.signal,
      state: s.state,
      ...(s.until !== null && { until: new Date(s.until).toISOString() }),
    })),
    firing: firing.map((a) => ({
      signal: a.signal,
      severity: a.severity,
      since: new Date(a.startsAt).toISOString(),
    })),
  };
}
