import { GatehouseError } from '../../errors/gatehouse-error.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Strict UTF-8 decode, JSON parse, then one iterative walk that bounds depth, refuses
 * prototype-pollution keys (JSON.parse keeps `__proto__` as an own key, which a later
 * Object.assign or spread would turn into a prototype change) and refuses numbers JSON.parse made
 * infinite (`1e309`): they would pass a bare `integer` check and be forwarded as `null`.
 */
export function parseJsonBody(buf: Buffer, maxDepth: number): Record<string, unknown> {
  return parseBody(buf, maxDepth, false).body;
}

export interface ParsedBody {
  readonly body: Record<string, unknown>;
  /** The decoded text (a leading BOM removed). */
  readonly text: string;
  /** Keys the parse kept, at every depth (fewer than the text has when a key is repeated). */
  readonly keys: number;
}

/**
 * The parse of a model request: as `parseJsonBody`, and every object and array below the top level
 * frozen, so that a stage can change a field only by assigning it a new value. That is what lets
 * the upstream call reuse an unchanged field's original text (src/formats/json-splice.ts).
 */
export function parseRequestBody(buf: Buffer, maxDepth: number): ParsedBody {
  return parseBody(buf, maxDepth, true);
}

function parseBody(buf: Buffer, maxDepth: number, freeze: boolean): ParsedBody {
  let text: string;
  try {
    text = utf8.decode(buf);
  } catch {
    throw new GatehouseError('GH_ERR_INVALID_UTF8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new GatehouseError('GH_ERR_INVALID_JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new GatehouseError('GH_ERR_SCHEMA', { message: 'Request body must be a JSON object.' });
  }
  const keys = checkShape(value, maxDepth, freeze);
  return { body: value as Record<string, unknown>, text, keys };
}

const notFinite = (path: string) =>
  new GatehouseError('GH_ERR_SCHEMA', {
    message: `Invalid request: body${path} must be a finite number.`,
  });

/** Returns the number of keys; with `freeze`, freezes every container but the root. */
function checkShape(root: object, maxDepth: number, freeze: boolean): number {
  let keys = 0;
  // The path is kept per container (not per value) so that the error can name the field.
  const stack: Array<[unknown, number, string]> = [[root, 1, '']];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [v, depth, path] = top;
    if (depth > maxDepth) throw new GatehouseError('GH_ERR_TOO_DEEP');
    if (freeze && depth > 1) Object.freeze(v);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (x !== null && typeof x === 'object') stack.push([x, depth + 1, `${path}.${i}`]);
        else if (typeof x === 'number' && !Number.isFinite(x)) throw notFinite(`${path}.${i}`);
      }
    } else {
      for (const k in v as Record<string, unknown>) {
        if (FORBIDDEN.has(k)) throw new GatehouseError('GH_ERR_FORBIDDEN_KEY');
        keys++;
        const x = (v as Record<string, unknown>)[k];
        if (x !== null && typeof x === 'object') stack.push([x, depth + 1, `${path}.${k.slice(0, 64)}`]);
        else if (typeof x === 'number' && !Number.isFinite(x)) throw notFinite(`${path}.${k.slice(0, 64)}`);
      }
    }
  }
  return keys;
}
