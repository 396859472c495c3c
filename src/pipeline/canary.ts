import type { RuntimeRoute } from './runtime.js';
import { defineSlot } from './slot.js';

/**
 * The canary's contract with the upstream call and telemetry (issue 18). The canary feature
 * (src/canary/) picks a side per request; when it picks the canary, `deploymentSlot` holds the
 * canary's deployment and the call stage calls it instead of the route's own (the route's stages,
 * guardrails, limits and audit stay the route's, so both sides are measured by the same rules).
 * Absent (feature off, or no canary on the route): the route's own deployment, side `baseline`.
 */
export const CANARY_SIDES = ['baseline', 'canary'] as const;
export type CanarySide = (typeof CANARY_SIDES)[number];

export interface CanaryStamp {
  readonly side: CanarySide;
  /** The alias of the deployment that served the request. */
  readonly deployment: string;
  /** Its pinned model id. */
  readonly model: string;
}

export const canaryStampSlot = defineSlot<CanaryStamp>('canary.stamp');
/** The deployment to call instead of the route's own (set only on the canary side). */
export const deploymentSlot = defineSlot<RuntimeRoute>('canary.deployment');
