/**
 * The field map: for every field of a request body, whether it is allowed, how it is validated, whether
 * it counts toward `maxInputTokens`, and how the input guard reads it. It is data: the JSON schema
 * (schemas.ts), the token count (count.ts), the guard's segments (src/guard/segments.ts) and
 * docs/field-map.md are all derived from it, so a field cannot be validated but left uninspected, or
 * inspected but left uncounted. One map per endpoint (map-chat.ts, map-completions.ts,
 * map-embeddings.ts); another API (Anthropic messages, MCP tool calls) is one more map.
 *
 * Strict by default: a key that is not on the map is refused (GH_ERR_UNKNOWN_FIELD). Fields marked
 * `optIn` (provider features the guard cannot read or that change cost or retention) are refused
 * unless the route lists their name in `allowFields`; any other name listed there is an extra provider
 * field (e.g. vLLM `guided_json`), forwarded as JSON that is counted and inspected as `structured`.
 */

export type JsonSchema = Readonly<Record<string, unknown>>;

/**
 * Where text comes from, which sets the guard's detectors and thresholds: `user` (the consumer, or the
 * model in replayed turns), `indirect` (tool definitions and results, documents: their own injection
 * threshold), `system` (the operator's prompt: no injection check), `data` (sent to the model server
 * but not read by the model as input, like stop sequences: credentials and personal data only, since
 * `"\n\nUser:"` is an ordinary stop sequence and a role marker to an injection detector).
 */
export type TextKind = 'user' | 'indirect' | 'system' | 'data';

/**
 * How the guard reads a field: `text` plain text; `tool-definition` text of a tool the model may call
 * (indirect content); `tool-arguments` a JSON string written by the model (every string in it is read,
 * and it stays valid JSON after redaction); `schema` a JSON schema (every key and string in it);
 * `structured` any other JSON (the same); `none` not read (numbers, enums, ids, media).
 */
export type Inspection = 'text' | 'tool-definition' | 'tool-arguments' | 'schema' | 'structured' | 'none';

/** `text` the string; `json` the JSON text of the whole value; `token-ids` one per id; `none`. */
export type Counting = 'text' | 'json' | 'token-ids' | 'none';

interface NodeBase {
  /** One line for docs/field-map.md. */
  readonly doc: string;
  /** Refused unless the route's `allowFields` lists this name. */
  readonly optIn?: string;
  /** The text kind of this field and everything under it (inherited otherwise; the root is `user`). */
  readonly kind?: TextKind;
  readonly nullable?: boolean;
  /** `json`: the whole value is counted as its JSON text (the walk does not count below it). */
  readonly count?: Counting;
}

/** A value validated by its own JSON schema: a string, number, enum, or small fixed object. */
export interface LeafNode extends NodeBase {
  readonly node: 'leaf';
  readonly schema: JsonSchema;
  readonly inspect: Extract<Inspection, 'text' | 'tool-definition' | 'tool-arguments' | 'none'>;
  readonly count: Counting;
}

/** Free JSON (a schema, an extra provider field): every key and string is read. */
export interface JsonNode extends NodeBase {
  readonly node: 'json';
  readonly schema: JsonSchema;
  readonly inspect: Extract<Inspection, 'schema' | 'structured'>;
  readonly count: 'json';
}

export interface ObjectNode extends NodeBase {
  readonly node: 'object';
  readonly fields: Readonly<Record<string, FieldNode>>;
  readonly required?: readonly string[];
}

export interface ArrayNode extends NodeBase {
  readonly node: 'array';
  readonly items: FieldNode;
  readonly minItems?: number;
  readonly maxItems: number;
}

/** One of several shapes told apart by JSON type (a string or an array of parts). */
export interface EitherNode extends NodeBase {
  readonly node: 'either';
  readonly options: readonly FieldNode[];
}

/** Objects told apart by a tag field (`role`, `type`); each variant lists its other fields. */
export interface TaggedNode extends NodeBase {
  readonly node: 'tagged';
  readonly tag: string;
  readonly variants: Readonly<Record<string, ObjectNode>>;
}

export type FieldNode = LeafNode | JsonNode | ObjectNode | ArrayNode | EitherNode | TaggedNode;

export interface EndpointMap {
  readonly endpoint: string;
  readonly root: ObjectNode;
  /**
   * Fixed token framing added to the counted fields, as the provider accounts it: `base` once, and
   * `perItem` per element of `items` (e.g. 3 per chat message), `perName` per item carrying a name.
   */
  readonly framing: {
    readonly base: number;
    readonly items?: string;
    readonly perItem: number;
    readonly perName: number;
  };
}

// ---- constructors: keep the per-endpoint maps short and readable ------------------------------

type Opts = Partial<Pick<NodeBase, 'optIn' | 'kind' | 'nullable' | 'count'>>;

/** A plain parameter: validated, not model input. */
export const param = (schema: JsonSchema, doc: string, o: Opts = {}): LeafNode => ({
  node: 'leaf',
  schema,
  inspect: 'none',
  count: 'none',
  doc,
  ...o,
});

/** Model-visible text: read by the guard and counted. */
export const text = (doc: string, o: Opts & { maxLength?: number; pattern?: string } = {}): LeafNode => {
  const { maxLength, pattern, ...rest } = o;
  return {
    node: 'leaf',
    schema: { type: 'string', ...(maxLength ? { maxLength } : {}), ...(pattern ? { pattern } : {}) },
    inspect: 'text',
    count: 'text',
    doc,
    ...rest,
  };
};

/** Text of a tool definition (read as indirect content by inheritance from `tools`). */
export const toolText = (doc: string, o: Opts & { maxLength?: number; pattern?: string } = {}): LeafNode => ({
  ...text(doc, o),
  inspect: 'tool-definition',
});

/** A JSON-encoded string the model wrote (tool-call arguments). */
export const jsonString = (doc: string): LeafNode => ({
  node: 'leaf',
  schema: { type: 'string' },
  inspect: 'tool-arguments',
  count: 'text',
  doc,
});

export const json = (
  schema: JsonSchema,
  inspect: JsonNode['inspect'],
  doc: string,
  o: Opts = {},
): JsonNode => ({
  node: 'json',
  schema,
  inspect,
  doc,
  ...o,
  count: 'json',
});

export const obj = (
  fields: Record<string, FieldNode>,
  doc: string,
  o: Opts & { required?: string[] } = {},
): ObjectNode => ({ node: 'object', fields, doc, ...o });

export const arr = (
  items: FieldNode,
  doc: string,
  o: Opts & { minItems?: number; maxItems: number },
): ArrayNode => ({
  node: 'array',
  items,
  doc,
  ...o,
});

export const either = (options: FieldNode[], doc: string, o: Opts = {}): EitherNode => ({
  node: 'either',
  options,
  doc,
  ...o,
});

export const tagged = (
  tag: string,
  variants: Record<string, ObjectNode>,
  doc: string,
  o: Opts = {},
): TaggedNode => ({ node: 'tagged', tag, variants, doc, ...o });

// ---- per-route view ---------------------------------------------------------------------------

/** Every `optIn` name used anywhere in a map. */
export function optInNames(node: FieldNode, out = new Set<string>()): Set<string> {
  if (node.optIn !== undefined) out.add(node.optIn);
  for (const child of childrenOf(node)) optInNames(child, out);
  return out;
}

export function childrenOf(node: FieldNode): FieldNode[] {
  switch (node.node) {
    case 'object':
      return Object.values(node.fields);
    case 'array':
      return [node.items];
    case 'either':
      return [...node.options];
    case 'tagged':
      return Object.values(node.variants);
    default:
      return [];
  }
}

const enabled = (n: FieldNode, allow: ReadonlySet<string>) => n.optIn === undefined || allow.has(n.optIn);

function prune(node: FieldNode, allow: ReadonlySet<string>): FieldNode {
  switch (node.node) {
    case 'object': {
      const fields: Record<string, FieldNode> = {};
      for (const [k, f] of Object.entries(node.fields)) if (enabled(f, allow)) fields[k] = prune(f, allow);
      return { ...node, fields, required: node.required?.filter((k) => k in fields) };
    }
    case 'array':
      return { ...node, items: prune(node.items, allow) };
    case 'either':
      return { ...node, options: node.options.filter((o) => enabled(o, allow)).map((o) => prune(o, allow)) };
    case 'tagged': {
      const variants: Record<string, ObjectNode> = {};
      for (const [k, v] of Object.entries(node.variants))
        if (enabled(v, allow)) variants[k] = prune(v, allow) as ObjectNode;
      return { ...node, variants };
    }
    default:
      return node;
  }
}

/** Documented in docs/field-map.md: what an allowlisted extra provider field is. */
export const EXTRA_FIELD: JsonNode = json(
  {},
  'structured',
  'extra provider field allowed on this route (routes[].allowFields): counted and inspected as JSON',
);

/**
 * The map a route actually serves: opt-in fields it does not allow removed, extra provider fields it
 * allows added at the top level. Built once per route at boot.
 */
export function routeMap(map: EndpointMap, allowFields: readonly string[] = []): EndpointMap {
  const allow = new Set(allowFields);
  const root = prune(map.root, allow) as ObjectNode;
  const known = optInNames(map.root);
  const fields = { ...root.fields };
  for (const name of allowFields)
    if (!known.has(name) && !(name in map.root.fields)) fields[name] = EXTRA_FIELD;
  return { ...map, root: { ...root, fields } };
}

// ---- the walk ---------------------------------------------------------------------------------

export interface Where {
  /** Top-level field. */
  readonly field: string;
  /** Index of the first array level under the top-level field (the chat message), else 0. */
  readonly index: number;
  /** The first tag value met (a chat role), else the top-level field. */
  readonly role: string;
  readonly kind: TextKind;
}

/**
 * Called for each present (non-null) value with its map node; return true to walk below it. `set`
 * replaces the value in the body (redaction writes back in place).
 */
export type Visitor = (node: FieldNode, value: unknown, set: (v: unknown) => void, where: Where) => boolean;

type JsonType = 'string' | 'number' | 'boolean' | 'array' | 'object';

function jsonType(v: unknown): JsonType {
  if (Array.isArray(v)) return 'array';
  return typeof v as JsonType;
}

/** Whether a node takes a value of this shape (JSON type, and for arrays the first element's). */
function accepts(node: FieldNode, v: unknown): boolean {
  const t = jsonType(v);
  switch (node.node) {
    case 'json':
      return true;
    case 'object':
    case 'tagged':
      return t === 'object';
    case 'array':
      return t === 'array' && ((v as unknown[]).length === 0 || accepts(node.items, (v as unknown[])[0]));
    case 'either':
      return node.options.some((o) => accepts(o, v));
    case 'leaf': {
      const s = node.schema;
      const type = s.type ?? (Array.isArray(s.enum) ? jsonType(s.enum[0]) : undefined);
      if (type === undefined) return true;
      if (type === 'integer') return t === 'number';
      if (type !== t) return false;
      if (t !== 'array' || (v as unknown[]).length === 0) return true;
      const items = s.items as JsonSchema | undefined;
      const first = (v as unknown[])[0];
      const it = items?.type === 'integer' ? 'number' : items?.type;
      return it === undefined || jsonType(first) === it;
    }
  }
}

function visit(node: FieldNode, value: unknown, set: (v: unknown) => void, where: Where, fn: Visitor): void {
  if (value === null || value === undefined) return;
  const w: Where =
    node.kind !== undefined && node.kind !== where.kind ? { ...where, kind: node.kind } : where;
  if (!fn(node, value, set, w)) return;
  switch (node.node) {
    case 'object': {
      if (jsonType(value) !== 'object') return;
      const o = value as Record<string, unknown>;
      const fields = node.fields;
      for (const k in fields) {
        const f = fields[k];
        if (f !== undefined && k in o) visit(f, o[k], (v) => (o[k] = v), w, fn);
      }
      return;
    }
    case 'array': {
      if (!Array.isArray(value)) return;
      const first = w.index < 0;
      value.forEach((x, i) => {
        visit(node.items, x, (v) => (value[i] = v), first ? { ...w, index: i } : w, fn);
      });
      return;
    }
    case 'either': {
      const opt = node.options.find((o) => accepts(o, value));
      if (opt !== undefined) visit(opt, value, set, w, fn);
      return;
    }
    case 'tagged': {
      if (jsonType(value) !== 'object') return;
      const tag = (value as Record<string, unknown>)[node.tag];
      const variant = typeof tag === 'string' ? node.variants[tag] : undefined;
      if (variant === undefined) return;
      const role = w.role === w.field ? tag : w.role;
      visit(variant, value, set, role === w.role ? w : { ...w, role: role as string }, fn);
      return;
    }
    default:
      return;
  }
}

/** Walks a (validated) body along its endpoint map; values not on the map are not visited. */
export function walkBody(map: EndpointMap, body: Record<string, unknown>, fn: Visitor): void {
  // for-in, not Object.entries: the same order without an array of pairs per walk (issue 13).
  const fields = map.root.fields;
  for (const k in fields) {
    const f = fields[k];
    if (f === undefined || !(k in body)) continue;
    visit(f, body[k], (v) => (body[k] = v), { field: k, index: -1, role: k, kind: 'user' }, fn);
  }
}

/** `index` is -1 until an array is entered; callers see 0 for fields outside any array. */
export const indexOf = (w: Where): number => Math.max(w.index, 0);
