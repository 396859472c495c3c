import { defineSlot } from './slot.js';

/**
 * The wire format a data-plane request arrived in, when it is not OpenAI's: set by the runner from
 * the path (`POST /v1/messages` → `anthropic`), read by the parse stage (which validates the
 * Messages field map and translates to chat) and by delivery (which writes the answer back in that
 * format). Unset means the OpenAI wire format.
 */
export type IngressWire = 'anthropic';

export const INGRESS_WIRE = defineSlot<IngressWire>('ingress.wire');
