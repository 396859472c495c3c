/**
 * Input tokens of a validated request body, counted with the route's tokenizer over every field the
 * field map marks as counted: message texts and names, tool and function definitions, tool-call
 * arguments, tool results, the response_format schema, tool_choice, stop sequences, prompts, inputs,
 * token ids, and any extra provider field the route allows. Nothing the model reads goes uncounted.
 */
import { type EndpointMap, walkBody } from '../../formats/fields/field-map.js';

type Count = (text: string) => number;

function tokenIds(v: unknown): number {
  if (!Array.isArray(v)) return 0;
  let n = 0;
  for (const x of v) n += Array.isArray(x) ? x.length : 1;
  return n;
}

export function countInputTokens(map: EndpointMap, body: Record<string, unknown>, count: Count): number {
  const { framing } = map;
  let n = framing.base;
  if (framing.items !== undefined) {
    const items = body[framing.items];
    if (Array.isArray(items)) {
      for (const it of items) {
        n += framing.perItem;
        if (typeof (it as { name?: unknown } | null)?.name === 'string') n += framing.perName;
      }
    }
  }
  walkBody(map, body, (node, value) => {
    const how = node.count;
    if (how === 'json') {
      // Serialised once for the whole value: a schema or a tool list is read by the model as JSON.
      n += count(JSON.stringify(value));
      return false;
    }
    if (how === 'text' && typeof value === 'string') n += count(value);
    else if (how === 'token-ids') n += tokenIds(value);
    return true;
  });
  return n;
}
