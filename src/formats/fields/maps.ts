import type { ModelEndpoint } from '../provider.js';
import { type EndpointMap, routeMap } from './field-map.js';
import { CHAT_MAP } from './map-chat.js';
import { COMPLETIONS_MAP, EMBEDDINGS_MAP } from './map-completions.js';
import { MESSAGES_MAP } from './map-messages.js';

/** The field map of each endpoint, as shipped (opt-in fields included). */
export const ENDPOINT_MAPS: Readonly<Record<ModelEndpoint, EndpointMap>> = {
  chat: CHAT_MAP,
  completions: COMPLETIONS_MAP,
  embeddings: EMBEDDINGS_MAP,
};

/** Every map docs/field-map.md documents: the endpoints, then the Anthropic Messages ingress. */
export const DOC_MAPS: readonly EndpointMap[] = [...Object.values(ENDPOINT_MAPS), MESSAGES_MAP];

export type RouteMaps = Readonly<Record<ModelEndpoint, EndpointMap>>;

// Routes with the same allowFields share one view; built at boot, read per request.
const views = new Map<string, RouteMaps>();

/** The maps a route serves, given its `allowFields` (validation, counting and the guard all use these). */
export function mapsFor(allowFields: readonly string[] = []): RouteMaps {
  const key = [...allowFields].sort().join('\n');
  let v = views.get(key);
  if (v === undefined) {
    v = {
      chat: routeMap(CHAT_MAP, allowFields),
      completions: routeMap(COMPLETIONS_MAP, allowFields),
      embeddings: routeMap(EMBEDDINGS_MAP, allowFields),
    };
    views.set(key, v);
  }
  return v;
}
