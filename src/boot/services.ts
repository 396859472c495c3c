import { authServiceDef } from '../edge/auth/service.js';
import { limitsService } from '../edge/limits/service.js';
import { outputGuardService } from '../guard/output/service.js';
import { guardService } from '../guard/service.js';
import type { ServiceDef } from '../pipeline/feature.js';
import { telemetryService } from '../telemetry/service.js';

/**
 * Builders for shared feature services, run once at boot in this order before any stage is built
 * (the `ServiceDef` contract is in src/pipeline/feature.ts).
 */
export const SERVICES: readonly ServiceDef[] = [
  authServiceDef,
  limitsService,
  guardService,
  outputGuardService,
  // Last: it picks up what the others registered (the guard's audit redactor).
  telemetryService,
];
