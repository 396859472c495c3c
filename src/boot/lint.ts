import { CORE_LINT_RULES, type LintReport, runLint } from '../config/lint.js';
import type { GatehouseConfig } from '../config/schema/index.js';
import type { Feature } from '../pipeline/feature.js';
import { FEATURES } from './features.js';

/** The core config checks, then each feature's own rules (`gatehouse lint` and every start). */
export function lintReport(
  cfg: Readonly<GatehouseConfig>,
  features: readonly Feature[] = FEATURES,
): LintReport {
  return runLint(cfg, [...CORE_LINT_RULES, ...features.flatMap((f) => f.lint ?? [])]);
}

/** The problems only (what refuses a start). */
export function lintConfig(
  cfg: Readonly<GatehouseConfig>,
  features: readonly Feature[] = FEATURES,
): string[] {
  return lintReport(cfg, features).errors;
}
