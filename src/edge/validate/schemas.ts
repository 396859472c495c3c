/**
 * The JSON schema of a request body, built from the endpoint's field map (a route's view of it):
 * every object closed (`additionalProperties: false`), so an unknown key is refused wherever it is,
 * tagged unions checked variant by variant, every number bounded.
 */
import type { EndpointMap, FieldNode, JsonSchema, ObjectNode } from '../../formats/fields/field-map.js';

function objectSchema(node: ObjectNode, extra: Record<string, JsonSchema> = {}): JsonSchema {
  const properties: Record<string, JsonSchema> = { ...extra };
  for (const [k, f] of Object.entries(node.fields)) properties[k] = schemaOf(f);
  const required = [...Object.keys(extra), ...(node.required ?? [])];
  return {
    type: 'object',
    properties,
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
  };
}

export function schemaOf(node: FieldNode): JsonSchema {
  let s: JsonSchema;
  switch (node.node) {
    case 'leaf':
    case 'json':
      s = node.schema;
      break;
    case 'object':
      s = objectSchema(node);
      break;
    case 'array':
      s = {
        type: 'array',
        items: schemaOf(node.items),
        maxItems: node.maxItems,
        ...(node.minItems !== undefined ? { minItems: node.minItems } : {}),
      };
      break;
    case 'either':
      s = { anyOf: node.options.map(schemaOf) };
      break;
    case 'tagged': {
      const names = Object.keys(node.variants);
      s = {
        type: 'object',
        required: [node.tag],
        properties: { [node.tag]: { type: 'string', enum: names } },
        allOf: Object.entries(node.variants).map(([name, variant]) => ({
          if: { properties: { [node.tag]: { const: name } } },
          // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, never awaited
          then: objectSchema(variant, { [node.tag]: { const: name } }),
        })),
      };
      break;
    }
  }
  return node.nullable === true ? { anyOf: [s, { type: 'null' }] } : s;
}

/** The request schema of one endpoint as a route serves it (see routeMap). */
export const requestSchema = (map: EndpointMap): JsonSchema => schemaOf(map.root);
