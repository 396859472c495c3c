import type { StageDef } from './registry.js';

/**
 * Every stage of the data plane, in any order: the builder sorts them by the phase list and checks
 * each one's scope. Features add one line here.
 */
export const STAGES: readonly StageDef[] = [];
