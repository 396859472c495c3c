import { defineService, defineSlot } from '../../pipeline/slot.js';
import type { OutputGuardRequest } from './request.js';
import type { RouteOutputGuard } from './service.js';

/** Compiled output policy per route alias (issue 6); routes with the guard off are absent. */
export const OUTPUT_GUARDS = defineService<ReadonlyMap<string, RouteOutputGuard>>('outputGuard');

/** Output guardrails of this request, set by `outputGuard.prepare`; absent when the route has none. */
export const OUTPUT_GUARD_REQUEST = defineSlot<OutputGuardRequest>('outputGuard.request');
