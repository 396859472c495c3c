import type { Agreement } from './backend/types.js';

export interface RubricCalibration {
  readonly rubric: string;
  /** Human decisions counted. */
  readonly decisions: number;
  /** Cohen's kappa, or null with no decision yet. */
  readonly kappa: number | null;
  /** Percent agreement, or null with no decision yet. */
  readonly agreement: number | null;
  readonly calibrated: boolean;
}

/**
 * Cohen's kappa over the 2×2 table of Judge (positive: fail/escalate) against reviewer (positive:
 * confirm/escalate): (po − pe) / (1 − pe). When both raters used one label only, pe is 1 and kappa
 * is undefined; we call that 1 if they agreed throughout (po = 1), else 0.
 */
export function cohensKappa(a: Agreement): { kappa: number | null; po: number | null; n: number } {
  const n = a.bothPositive + a.judgeOnly + a.reviewerOnly + a.bothNegative;
  if (n === 0) return { kappa: null, po: null, n };
  const po = (a.bothPositive + a.bothNegative) / n;
  const judgeYes = (a.bothPositive + a.judgeOnly) / n;
  const reviewerYes = (a.bothPositive + a.reviewerOnly) / n;
  const pe = judgeYes * reviewerYes + (1 - judgeYes) * (1 - reviewerYes);
  if (pe >= 1) return { kappa: po === 1 ? 1 : 0, po, n };
  return { kappa: (po - pe) / (1 - pe), po, n };
}

export function calibrate(
  rubric: string,
  a: Agreement,
  opts: { readonly floor: number; readonly minDecisions: number },
): RubricCalibration {
  const { kappa, po, n } = cohensKappa(a);
  return {
    rubric,
    decisions: n,
    kappa,
    agreement: po,
    calibrated: kappa !== null && n >= opts.minDecisions && kappa >= opts.floor,
  };
}
