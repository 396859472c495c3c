import { defineService } from '../pipeline/slot.js';
import type { ResilienceService } from './service.js';

/** PACE resilience (issue 16); absent when `resilience.enabled` is false. Read by /health. */
export const RESILIENCE = defineService<ResilienceService>('resilience');
