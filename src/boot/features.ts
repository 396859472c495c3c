import { adminFeature } from '../admin/feature.js';
import { canaryFeature } from '../canary/feature.js';
import { authFeature } from '../edge/auth/feature.js';
import { correlationFeature } from '../edge/feature.js';
import { limitsFeature } from '../edge/limits/feature.js';
import { validationFeature } from '../edge/validate/feature.js';
import { egressFeature } from '../egress/feature.js';
import { guardFeature } from '../guard/feature.js';
import { outputGuardFeature } from '../guard/output/feature.js';
import { judgeFeature } from '../judge/feature.js';
import type { Feature } from '../pipeline/feature.js';
import type { StageDef } from '../pipeline/registry.js';
import { resilienceFeature } from '../resilience/feature.js';
import { sandboxFeature } from '../sandbox/feature.js';
import { telemetryFeature } from '../telemetry/feature.js';
import { toolsFeature } from '../tools/feature.js';
import { upstreamFeature } from '../upstream/feature.js';

/**
 * Every capability of the gateway; a new one is a folder exporting a `Feature` plus one line here.
 * Services are built in this order (telemetry last: it picks up what the others registered, such as
 * the guard's audit redactor); stage order comes from phases and before/after, never from this list.
 */
export const FEATURES: readonly Feature[] = [
  correlationFeature,
  authFeature,
  validationFeature,
  limitsFeature,
  guardFeature,
  outputGuardFeature,
  upstreamFeature,
  egressFeature,
  sandboxFeature,
  resilienceFeature,
  toolsFeature,
  telemetryFeature,
  judgeFeature,
  adminFeature,
  canaryFeature,
];

/** The stages of the given features, flattened. */
export const stagesOf = (features: readonly Feature[]): readonly StageDef[] =>
  features.flatMap((f) => f.stages);
