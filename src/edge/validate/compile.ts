import { Ajv, type ValidateFunction } from 'ajv';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { ModelEndpoint } from '../../formats/provider.js';
import { REQUEST_SCHEMAS } from './schemas.js';

export type BodyValidator = (body: Record<string, unknown>) => void;

/** Compiles each endpoint's schema once; the returned validators throw GH_ERR_SCHEMA naming the path. */
export function compileValidators(): Readonly<Record<ModelEndpoint, BodyValidator>> {
  const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: false, useDefaults: false });
  const wrap =
    (fn: ValidateFunction): BodyValidator =>
    (body) => {
      if (!fn(body)) {
        const e = fn.errors?.[0];
        const where = e?.instancePath ? `body${e.instancePath.replaceAll('/', '.')}` : 'body';
        throw new GatehouseError('GH_ERR_SCHEMA', {
          message: `Invalid request: ${where} ${e?.message ?? 'is invalid'}.`,
        });
      }
    };
  return {
    chat: wrap(ajv.compile(REQUEST_SCHEMAS.chat)),
    completions: wrap(ajv.compile(REQUEST_SCHEMAS.completions)),
    embeddings: wrap(ajv.compile(REQUEST_SCHEMAS.embeddings)),
  };
}
