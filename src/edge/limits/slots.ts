import type { Posture } from '../../config/schema/limits.js';
import { defineService, defineSlot } from '../../pipeline/slot.js';
import type { Reservation } from './events.js';
import type { Limiter } from './limiter.js';

/** The token-aware limiter (issue 4); absent when `limits.enabled` is false. */
export const LIMITER = defineService<Limiter>('limits.limiter');

/** Set by the admit stage; the settle stage reconciles it once. */
export const RESERVATION = defineSlot<Reservation>('limits.reservation');

/** Set just before the upstream call: from here on the model may have done work to charge. */
export const UPSTREAM_CALLED = defineSlot<true>('limits.upstreamCalled');

/** Set when Redis was unreachable at admission: the posture that decided this request. */
export const POSTURE = defineSlot<Posture>('limits.posture');
