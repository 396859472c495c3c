/**
 * The declared projection of a tool result (scope constraint): only the listed dotted paths of a
 * JSON value survive, so a "query customer" tool returns the fields the task needs and nothing of
 * the record's internals. Arrays are projected element by element (`orders.id` keeps the `id` of
 * every order).
 */
export type Projection = (value: unknown) => unknown;

interface Node {
  readonly keep: boolean;
  readonly children: Map<string, Node>;
}

function buildTree(paths: readonly string[]): Node {
  const root: Node = { keep: false, children: new Map() };
  for (const p of paths) {
    let at = root;
    const parts = p.split('.');
    parts.forEach((part, i) => {
      let next = at.children.get(part);
      if (next === undefined) {
        next = { keep: i === parts.length - 1, children: new Map() };
        at.children.set(part, next);
      } else if (i === parts.length - 1) next = { keep: true, children: next.children };
      at.children.set(part, next);
      at = next;
    });
  }
  return root;
}

function apply(value: unknown, node: Node): unknown {
  if (node.keep) return value;
  if (Array.isArray(value)) return value.map((v) => apply(v, node));
  if (value === null || typeof value !== 'object') return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, child] of node.children) {
    if (!Object.hasOwn(value, k)) continue;
    const v = apply((value as Record<string, unknown>)[k], child);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export function compileProjection(fields: readonly string[]): Projection {
  const tree = buildTree(fields);
  return (value) => apply(value, tree) ?? {};
}
