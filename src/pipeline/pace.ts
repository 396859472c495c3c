import { defineService, defineSlot } from './slot.js';

/**
 * The PACE contract between features (seed: "PACE Resilience for Endpoints"). The resilience
 * feature owns the state machine and sets `paceViewKey`; the guard and the Judge raise degradation
 * signals through `degradationKey`; the Judge reads the state (Alternate forces its sampling to
 * 100%). Either service may be absent (the feature is off): readers then assume Primary and
 * raisers do nothing, so no feature imports another to learn the state.
 */
export const PACE_STATES = ['primary', 'alternate', 'contingency', 'emergency'] as const;
export type PaceState = (typeof PACE_STATES)[number];

/** Signals that move a route's state: guardrails degraded → Alternate; model or Judge degraded → Contingency. */
export const DEGRADATION_SIGNALS = ['guard_degraded', 'judge_degraded', 'upstream_degraded'] as const;
export type DegradationSignal = (typeof DEGRADATION_SIGNALS)[number];

export interface PaceView {
  /** The route's current state (a global operator override included). */
  stateOf(route: string): PaceState;
}

export interface DegradationSignals {
  /** Raise (`active`) or clear a signal, for one route or (`route` null) for every route. */
  set(signal: DegradationSignal, route: string | null, active: boolean, detail?: string): void;
}

export const paceViewKey = defineService<PaceView>('pace.view');
export const degradationKey = defineService<DegradationSignals>('pace.signals');

/**
 * What a request's audit event says about PACE (set by the resilience feature, written by telemetry):
 * the route's state when the request was served, the backup route whose deployment answered (null:
 * the primary), the upstream attempts made and whether the request is marked for review.
 */
export interface PaceStamp {
  state: PaceState;
  fallback: string | null;
  attempts: number;
  review: boolean;
}

export const paceStampSlot = defineSlot<PaceStamp>('pace.stamp');

/**
 * The kill switch as features outside the data-plane pipeline see it (the egress proxy, the tool
 * gateway): does an engaged entry stop this target of this scope (`all`, `<scope>:*` or
 * `<scope>:<target>`)? Set by the resilience feature; absent, nothing is stopped by the store's
 * switch (the egress proxy then has only its own process to stop).
 */
export interface KillView {
  stops(scope: 'tool' | 'egress', target: string): boolean;
}

export const killViewKey = defineService<KillView>('pace.kill');
