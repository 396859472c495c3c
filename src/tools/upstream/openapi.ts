import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { HttpToolConfig } from '../../config/schema/tools.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
/** Local `$ref`s are inlined up to this depth; deeper (or cyclic) schemas are refused at boot. */
const MAX_REF_DEPTH = 16;

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Inlines local references (`#/components/...`): the argument schema is compiled on its own. */
function inline(doc: Json, v: unknown, depth: number): unknown {
  if (depth > MAX_REF_DEPTH) throw new Error('OpenAPI $ref nesting too deep (or cyclic)');
  if (Array.isArray(v)) return v.map((x) => inline(doc, x, depth));
  if (!isObj(v)) return v;
  const ref = v.$ref;
  if (typeof ref === 'string') {
    if (!ref.startsWith('#/')) throw new Error(`OpenAPI $ref ${ref}: only local references are supported`);
    let target: unknown = doc;
    for (const part of ref.slice(2).split('/'))
      target = isObj(target) ? target[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
    if (target === undefined) throw new Error(`OpenAPI $ref ${ref} does not resolve`);
    return inline(doc, target, depth + 1);
  }
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) out[k] = inline(doc, x, depth);
  return out;
}

/**
 * One operation of an OpenAPI 3 document (JSON or YAML file) as a plain HTTP tool, read once at
 * boot: method and path template from the operation, the argument schema from its path and query
 * parameters plus the properties of its `application/json` request body, the description from its
 * summary and description. Header and cookie parameters are not arguments (the operator sets
 * headers); an operation that needs one of them is refused.
 */
export function httpFromOpenApi(specPath: string, operationId: string): HttpToolConfig {
  const doc = parse(readFileSync(specPath, 'utf8')) as unknown;
  if (!isObj(doc) || !isObj(doc.paths)) throw new Error(`${specPath}: not an OpenAPI document`);
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!isObj(item)) continue;
    for (const m of METHODS) {
      const op = item[m];
      if (!isObj(op) || op.operationId !== operationId) continue;
      const properties: Json = {};
      const required: string[] = [];
      const query: string[] = [];
      const params = [
        ...(Array.isArray(item.parameters) ? item.parameters : []),
        ...(Array.isArray(op.parameters) ? op.parameters : []),
      ].map((p) => inline(doc, p, 0));
      for (const p of params) {
        if (!isObj(p) || typeof p.name !== 'string') continue;
        if (p.in === 'header' || p.in === 'cookie') {
          if (p.required === true)
            throw new Error(`${operationId}: required ${p.in} parameter ${p.name} cannot be an argument`);
          continue;
        }
        properties[p.name] = isObj(p.schema) ? p.schema : {};
        if (p.in === 'query') query.push(p.name);
        if (p.required === true || p.in === 'path') required.push(p.name);
      }
      const content = isObj(op.requestBody) ? inline(doc, op.requestBody, 0) : null;
      const body = isObj(content) && isObj(content.content) ? content.content['application/json'] : undefined;
      if (isObj(body) && isObj(body.schema)) {
        const s = body.schema;
        if (!isObj(s.properties))
          throw new Error(`${operationId}: only an object request body maps to tool arguments`);
        Object.assign(properties, s.properties);
        if (Array.isArray(s.required))
          for (const r of s.required) if (typeof r === 'string') required.push(r);
      }
      const text = [op.summary, op.description].filter((x) => typeof x === 'string').join('\n\n');
      return {
        method: m.toUpperCase() as HttpToolConfig['method'],
        path,
        query,
        headers: {},
        description: text.slice(0, 4_096),
        inputSchema: {
          type: 'object',
          properties,
          required: [...new Set(required)],
          additionalProperties: false,
        },
      };
    }
  }
  throw new Error(`${specPath}: no operation with operationId ${operationId}`);
}
