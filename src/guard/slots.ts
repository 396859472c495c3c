import { defineService, defineSlot } from '../pipeline/slot.js';
import type { RedactionMap } from './redact.js';
import type { GuardService } from './service.js';

/** Input guardrails (issue 5); absent when `guard.enabled` is false. */
export const GUARD = defineService<GuardService>('guard');

/** Input redactions of this request (placeholder <-> value); the output guard restores them. */
export const REDACTIONS = defineSlot<RedactionMap>('guard.redactions');
