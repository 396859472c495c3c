import type { RawBody } from '../formats/json-splice.js';
import { defineSlot } from './slot.js';

/**
 * The model request as received (bytes, text, reusable fields): set by the parse stage for the
 * OpenAI wire format, read by the upstream call, which forwards it as is when no stage changed the
 * body and splices the changed fields in otherwise (src/formats/json-splice.ts). Unset (another
 * ingress format, or a body with a repeated key): the body is serialised whole.
 */
export const REQUEST_BYTES = defineSlot<RawBody>('request.bytes');
