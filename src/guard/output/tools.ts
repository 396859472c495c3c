/**
 * The functions a request offered the model. A model-proposed call to anything else (a name
 * injected through a document, a hallucinated admin tool) is refused: the consumer's agent would
 * otherwise dispatch it.
 */

export interface OfferedTools {
  /** Null when the request forbids calls (`tool_choice: "none"`) or offered none. */
  readonly names: ReadonlySet<string>;
}

function nameOf(t: unknown): string | null {
  if (t === null || typeof t !== 'object') return null;
  const o = t as { name?: unknown; function?: { name?: unknown }; custom?: { name?: unknown } };
  const n = o.function?.name ?? o.custom?.name ?? o.name;
  return typeof n === 'string' ? n : null;
}

export function offeredTools(body: Record<string, unknown>): OfferedTools {
  const names = new Set<string>();
  for (const list of [body.tools, body.functions]) {
    if (!Array.isArray(list)) continue;
    for (const t of list) {
      const n = nameOf(t);
      if (n !== null) names.add(n);
    }
  }
  const choice = body.tool_choice ?? body.function_call;
  if (choice === 'none') return { names: new Set() };
  // A forced choice narrows the offer to that one function.
  const forced = typeof choice === 'object' ? nameOf(choice) : null;
  if (forced !== null) return { names: names.has(forced) ? new Set([forced]) : new Set() };
  return { names };
}
