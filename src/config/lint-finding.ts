import type { GatehouseConfig } from './schema/index.js';

/**
 * What a lint rule reports. A plain string is a problem: `gatehouse lint` exits non-zero and the
 * gateway refuses to start. A warning is printed by `gatehouse lint` and logged at start, and refuses
 * nothing (a tier 1 route may accept what tier 2 may not).
 */
export interface LintWarning {
  readonly severity: 'warning';
  readonly message: string;
}

export type LintFinding = string | LintWarning;

export const lintWarning = (message: string): LintWarning => ({ severity: 'warning', message });

/** A rule returns problems (strings) and warnings (`lintWarning(...)`). */
export type LintRule = (cfg: Readonly<GatehouseConfig>) => LintFinding[];
