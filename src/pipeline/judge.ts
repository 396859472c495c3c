import { defineService } from './slot.js';

/**
 * What the Judge exports to other features (the canary compares Judge flag rates of an old and a
 * new model version): which rubrics are calibrated, and flag counts from calibrated rubrics only.
 * Absent when the Judge is off: readers then have no Judge signal to use.
 */
export interface RubricAgreement {
  readonly rubric: string;
  readonly decisions: number;
  readonly kappa: number | null;
  readonly calibrated: boolean;
}

export interface JudgeView {
  /** False for a rubric below `judge.calibration.floor` (or without enough decisions): it may gate nothing. */
  isCalibrated(rubric: string): boolean;
  calibration(): readonly RubricAgreement[];
  /**
   * Evaluations and fail/escalate verdicts of calibrated rubrics for a route's requests served by
   * one deployment (the route's own alias, or a canary deployment's), since boot (this process).
   */
  flagCounts(route: string, served: string): { readonly evaluated: number; readonly flagged: number };
}

export const judgeViewKey = defineService<JudgeView>('judge.view');
