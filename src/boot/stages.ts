import type { StageDef } from '../pipeline/registry.js';
import { FEATURES, stagesOf } from './features.js';

/**
 * Every stage of the data plane: the stages of every feature in FEATURES (src/boot/features.ts).
 * Their order does not matter: the builder (checkStageDefs in src/pipeline/build.ts) orders stages by
 * the phase list, then within a phase by each stage's own `before`/`after` constraints (ties by
 * name). Tests and benches build subsets of it.
 */
export const STAGES: readonly StageDef[] = stagesOf(FEATURES);
