import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import { type EndpointMap, routeMap } from '../../formats/fields/field-map.js';
import type { RouteMaps } from '../../formats/fields/maps.js';
import type { ModelEndpoint } from '../../formats/provider.js';
import { requestSchema } from './schemas.js';

export type BodyValidator = (body: Record<string, unknown>) => void;

const where = (path: string) => (path === '' ? 'body' : `body${path.replaceAll('/', '.')}`);

/**
 * The error to report: an unknown key wins (it is the most useful answer and the one a bypass attempt
 * gets); otherwise the deepest path, which inside a union is the branch that matched the shape, and at
 * equal depth a broken constraint (too many items, out of range) over a branch's wrong type.
 */
const GENERIC = new Set(['type', 'anyOf', 'if']);
const weight = (e: ErrorObject) => e.instancePath.length * 2 + (GENERIC.has(e.keyword) ? 0 : 1);

function pick(errors: readonly ErrorObject[]): ErrorObject | undefined {
  let best: ErrorObject | undefined;
  for (const e of errors) {
    if (e.keyword === 'additionalProperties') return e;
    if (best === undefined || weight(e) > weight(best)) best = e;
  }
  return best;
}

function refuse(errors: readonly ErrorObject[] | null | undefined): never {
  const e = pick(errors ?? []);
  if (e?.keyword === 'additionalProperties') {
    const field = String((e.params as { additionalProperty?: unknown }).additionalProperty).slice(0, 64);
    const at = e.instancePath === '' ? field : `${where(e.instancePath).slice(5)}.${field}`;
    throw new GatehouseError('GH_ERR_UNKNOWN_FIELD', {
      message: `Unknown field '${at}': this model does not accept it (see the gateway's field map).`,
    });
  }
  throw new GatehouseError('GH_ERR_SCHEMA', {
    message: `Invalid request: ${where(e?.instancePath ?? '')} ${e?.message ?? 'is invalid'}.`,
  });
}

const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: false, useDefaults: false });

/**
 * Compiles one route's validators once at boot; they throw GH_ERR_UNKNOWN_FIELD naming an unknown
 * key, or GH_ERR_SCHEMA naming the failing path.
 */
export function compileValidators(maps: RouteMaps): Readonly<Record<ModelEndpoint, BodyValidator>> {
  const wrap =
    (fn: ValidateFunction): BodyValidator =>
    (body) => {
      if (!fn(body)) refuse(fn.errors);
    };
  return {
    chat: wrap(ajv.compile(requestSchema(maps.chat))),
    completions: wrap(ajv.compile(requestSchema(maps.completions))),
    embeddings: wrap(ajv.compile(requestSchema(maps.embeddings))),
  };
}

/** One more API's map (the Anthropic ingress), compiled the same way for a route's `allowFields`. */
export function compileMapValidator(map: EndpointMap, allowFields: readonly string[] = []): BodyValidator {
  const fn = ajv.compile(requestSchema(routeMap(map, allowFields)));
  return (body) => {
    if (!fn(body)) refuse(fn.errors);
  };
}
