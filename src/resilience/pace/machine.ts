import type { ResilienceConfig } from '../../config/schema/resilience.js';
import {
  DEGRADATION_SIGNALS,
  type DegradationSignal,
  type DegradationSignals,
  PACE_STATES,
  type PaceState,
  type PaceView,
} from '../../pipeline/pace.js';
import { SignalWindow } from './signal-window.js';

/** An operator's forced state for one route (or every route: `*`); shared through the store. */
export interface PaceOverride {
  readonly state: Exclude<PaceState, 'emergency'>;
  readonly by: string;
  readonly reason: string;
  readonly at: number;
}

export const parseOverride = (raw: unknown): PaceOverride | null => {
  const r = raw as Partial<PaceOverride> | null;
  if (r === null || typeof r !== 'object') return null;
  if (r.state !== 'primary' && r.state !== 'alternate' && r.state !== 'contingency') return null;
  return {
    state: r.state,
    by: String(r.by ?? 'unknown'),
    reason: String(r.reason ?? ''),
    at: Number(r.at ?? 0),
  };
};

export interface PaceInputs {
  /** Kill switch on this route or everything. */
  killed(route: string): boolean;
  /** The primary deployment's breaker is not closed. */
  primaryDown(route: string): boolean;
  overrides(): ReadonlyMap<string, PaceOverride>;
}

export interface Transition {
  readonly route: string;
  readonly from: PaceState;
  readonly to: PaceState;
  readonly reason: string;
}

export interface PaceMachine extends PaceView, DegradationSignals {
  /** Why a route is where it is (the active signals, the override, the breaker). */
  why(route: string): string;
  /** The signal is active for this route (or for every route). */
  signalActive(signal: DegradationSignal, route: string): boolean;
  /** Re-evaluates every route (the timer calls it; tests call it with their clock). */
  tick(): void;
}

const GLOBAL = '*';

/**
 * The PACE state of each route, derived from the signals (with their hysteresis), the breakers, the
 * kill switch and the operator's override, in that order of precedence: emergency (kill switch) >
 * override > contingency (model endpoint or Judge degraded) > alternate (guardrails degraded) > primary.
 */
export function createPaceMachine(
  cfg: ResilienceConfig,
  routes: readonly string[],
  inputs: PaceInputs,
  onTransition: (t: Transition) => void,
  now: () => number = Date.now,
): PaceMachine {
  const windows = new Map<string, SignalWindow>();
  const windowOf = (signal: DegradationSignal, route: string) => {
    const k = `${signal}|${route}`;
    let w = windows.get(k);
    if (w === undefined) windows.set(k, (w = new SignalWindow(cfg.signals[signal], now())));
    return w;
  };
  const active = (signal: DegradationSignal, route: string) =>
    windows.get(`${signal}|${route}`)?.active === true || windows.get(`${signal}|${GLOBAL}`)?.active === true;

  const compute = (route: string): { state: PaceState; reason: string } => {
    if (inputs.killed(route)) return { state: 'emergency', reason: 'kill switch engaged' };
    const ov = inputs.overrides();
    const o = ov.get(route) ?? ov.get(GLOBAL);
    if (o !== undefined) return { state: o.state, reason: `operator override by ${o.by}: ${o.reason}` };
    if (inputs.primaryDown(route)) return { state: 'contingency', reason: 'primary deployment breaker open' };
    if (active('upstream_degraded', route)) return { state: 'contingency', reason: 'upstream_degraded' };
    if (active('judge_degraded', route)) return { state: 'contingency', reason: 'judge_degraded' };
    if (active('guard_degraded', route)) return { state: 'alternate', reason: 'guard_degraded' };
    return { state: 'primary', reason: 'all layers operational' };
  };

  const last = new Map<string, PaceState>(routes.map((r) => [r, 'primary']));
  const tick = () => {
    const t = now();
    for (const w of windows.values()) w.evaluate(t);
    for (const r of routes) {
      const { state, reason } = compute(r);
      const prev = last.get(r) ?? 'primary';
      if (prev === state) continue;
      last.set(r, state);
      onTransition({ route: r, from: prev, to: state, reason });
    }
  };

  return {
    stateOf: (route) => compute(route).state,
    why: (route) => compute(route).reason,
    signalActive: active,
    set(signal, route, isActive, detail) {
      if (!(DEGRADATION_SIGNALS as readonly string[]).includes(signal)) return;
      const w = windowOf(signal, route ?? GLOBAL);
      const was = w.active;
      w.observe(isActive, now(), detail);
      if (w.active !== was) tick();
    },
    tick,
  };
}

export const isPaceState = (s: unknown): s is PaceState =>
  typeof s === 'string' && (PACE_STATES as readonly string[]).includes(s);
