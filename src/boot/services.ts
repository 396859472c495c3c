import { authServiceDef } from '../edge/auth/service.js';
import { limitsService } from '../edge/limits/service.js';
import { outputGuardService } from '../guard/output/service.js';
import { guardService } from '../guard/service.js';
import { telemetryService } from '../telemetry/service.js';
import type { Runtime } from './runtime.js';

/**
 * Builders for shared feature services, run once at boot in this order before any stage is built.
 * Each assigns its service onto `rt.services` (typed by module augmentation of `Services`) and may
 * push a closer onto `rt.closers`.
 */
export interface ServiceDef {
  readonly name: string;
  readonly build: (rt: Runtime) => void | Promise<void>;
}

export const SERVICES: readonly ServiceDef[] = [
  authServiceDef,
  limitsService,
  guardService,
  outputGuardService,
  // Last: it picks up what the others registered (the guard's audit redactor).
  telemetryService,
];
