/**
 * The output guard on a stream: each upstream chunk's text goes into its choice's hold-back
 * channels and the chunk goes on without it (or is dropped when nothing else is left in it). After
 * each upstream read (`flush`), the text that may be released comes out as chunks of our own, cut
 * where the model's deltas were; what is still held comes out at the latest with the choice's
 * `finish_reason`. A `block` throws, which ends the stream with a terminal error event and `[DONE]`.
 */
import type { RequestContext, StreamChunk, StreamInspector } from '../../pipeline/context.js';
import { ChoiceGuard, type ChoiceRest, TEXT_FIELDS } from './choice.js';
import type { OutputGuardRequest } from './request.js';

type Choice = Record<string, unknown> & { index?: unknown; finish_reason?: unknown };
type ToolDelta = {
  index?: unknown;
  id?: unknown;
  type?: unknown;
  function?: { name?: unknown; arguments?: unknown };
};

export function createStreamInspector(ctx: RequestContext, req: OutputGuardRequest): StreamInspector {
  const choices = new Map<number, ChoiceGuard>();
  const stripLogprobs = req.guard.policy.logprobs === 'strip';
  const chat = ctx.endpoint === 'chat';
  let envelope: StreamChunk = {};

  const guardOf = (index: number): ChoiceGuard => {
    let g = choices.get(index);
    if (g === undefined) {
      g = new ChoiceGuard(ctx, req);
      choices.set(index, g);
    }
    return g;
  };

  /** A chunk of our own carrying released text (same id, object and model as the upstream's). */
  const chunkOf = (index: number, fill: (target: Record<string, unknown>) => void): StreamChunk => {
    const c: Choice = chat
      ? { index, delta: {}, finish_reason: null }
      : { index, text: '', finish_reason: null };
    fill(chat ? (c.delta as Record<string, unknown>) : c);
    return {
      id: envelope.id,
      object: envelope.object,
      created: envelope.created,
      model: envelope.model,
      choices: [c],
    };
  };

  /** One chunk per released piece: text fields first, then tool-call arguments. */
  const restChunks = (out: StreamChunk[], index: number, rest: ChoiceRest): void => {
    for (const [field, pieces] of Object.entries(rest.fields)) {
      for (const p of pieces) out.push(chunkOf(index, (t) => (t[field] = p)));
    }
    for (const [tool, pieces] of rest.tools) {
      for (const p of pieces)
        out.push(chunkOf(index, (t) => (t.tool_calls = [{ index: tool, function: { arguments: p } }])));
    }
  };

  /** Takes a choice's text into the guard; returns false when nothing is left to send in it now. */
  const choice = (c: Choice, before: StreamChunk[]): boolean => {
    const index = typeof c.index === 'number' ? c.index : 0;
    const g = guardOf(index);
    if (stripLogprobs && c.logprobs != null) c.logprobs = null;
    const target = (chat ? c.delta : c) as Record<string, unknown> | undefined | null;
    let keep = false;
    // Fields left empty are removed only from a choice that is sent: most deltas are held whole
    // and dropped, and a `delete` per token would cost more than the rest of this function.
    let emptied = false;
    let noTools = false;
    if (target !== undefined && target !== null) {
      for (const f of TEXT_FIELDS) {
        const v = target[f];
        if (typeof v !== 'string') continue;
        // Released now only when the hold limit forced a scan.
        const pieces = g.text(f, v);
        const out = pieces.length === 0 ? '' : pieces.length === 1 ? (pieces[0] as string) : pieces.join('');
        target[f] = out;
        if (out !== '') keep = true;
        else if (f !== 'text') emptied = true;
      }
      if (Array.isArray(target.tool_calls)) {
        const kept = (target.tool_calls as ToolDelta[]).filter((tc) => toolDelta(g, tc));
        if (kept.length > 0) {
          target.tool_calls = kept;
          keep = true;
        } else noTools = true;
      }
      if ('role' in target || 'function_call' in target) keep = true;
    }
    if (c.finish_reason != null) {
      // Everything still held goes out just before the chunk that ends the choice.
      restChunks(before, index, g.finish());
      keep = true;
    }
    if (keep && target !== undefined && target !== null) {
      if (emptied) for (const f of TEXT_FIELDS) if (f !== 'text' && target[f] === '') delete target[f];
      if (noTools) delete target.tool_calls;
    }
    return keep;
  };

  return {
    onChunk(chunk) {
      const list = chunk.choices;
      if (!Array.isArray(list) || list.length === 0) return [chunk];
      envelope = chunk;
      const before: StreamChunk[] = [];
      const kept = (list as Choice[]).filter((c) => choice(c, before));
      if (kept.length === 0 && chunk.usage == null) return before;
      chunk.choices = kept;
      before.push(chunk);
      return before;
    },
    flush() {
      const out: StreamChunk[] = [];
      for (const [index, g] of choices) if (!g.finished) restChunks(out, index, g.flush());
      return out;
    },
    onEnd() {
      const out: StreamChunk[] = [];
      for (const [index, g] of choices) if (!g.finished) restChunks(out, index, g.finish());
      return out;
    },
  };
}

/** One tool-call delta: name checked, arguments into the guard. False when it says nothing now. */
function toolDelta(g: ChoiceGuard, tc: ToolDelta): boolean {
  const index = typeof tc.index === 'number' ? tc.index : 0;
  const fn = tc.function;
  if (fn !== undefined && fn !== null) {
    if (typeof fn.name === 'string' && fn.name !== '') g.toolName(index, fn.name);
    if (typeof fn.arguments === 'string') fn.arguments = g.toolArgs(index, fn.arguments).join('');
  }
  return tc.id !== undefined || tc.type !== undefined || typeof fn?.name === 'string' || fn?.arguments !== '';
}
