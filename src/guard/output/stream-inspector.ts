/**
 * The output guard on a stream: each upstream chunk's text goes through its choice's hold-back
 * channels and comes out as the text that may be released now. Chunks left with nothing to say are
 * dropped; held text comes out in later chunks, at the latest with the choice's `finish_reason`.
 * A `block` throws, which ends the stream with a terminal error event and `[DONE]`.
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
  let envelope: StreamChunk | null = null;

  const guardOf = (index: number): ChoiceGuard => {
    let g = choices.get(index);
    if (g === undefined) {
      g = new ChoiceGuard(ctx, req);
      choices.set(index, g);
    }
    return g;
  };

  /** Rewrites one choice in place; returns false when nothing is left to send. */
  const choice = (c: Choice): boolean => {
    const index = typeof c.index === 'number' ? c.index : 0;
    const g = guardOf(index);
    if (stripLogprobs && c.logprobs != null) c.logprobs = null;
    const target = (chat ? c.delta : c) as Record<string, unknown> | undefined;
    let keep = false;
    if (target !== undefined && target !== null) {
      for (const f of TEXT_FIELDS) {
        const v = target[f];
        if (typeof v !== 'string') continue;
        const out = g.text(f, v);
        if (out === '' && f !== 'text') delete target[f];
        else {
          target[f] = out;
          if (out !== '') keep = true;
        }
      }
      if (Array.isArray(target.tool_calls)) {
        const kept = (target.tool_calls as ToolDelta[]).filter((tc) => toolDelta(g, tc));
        if (kept.length > 0) {
          target.tool_calls = kept;
          keep = true;
        } else delete target.tool_calls;
      }
      for (const k of Object.keys(target)) if (k === 'role' || k === 'function_call') keep = true;
    }
    if (c.finish_reason != null) {
      merge(target ?? c, g.finish(), chat);
      keep = true;
    }
    return keep;
  };

  return {
    onChunk(chunk) {
      const list = chunk.choices;
      if (!Array.isArray(list) || list.length === 0) return [chunk];
      envelope = chunk;
      const kept = (list as Choice[]).filter(choice);
      if (kept.length === 0 && chunk.usage == null) return [];
      chunk.choices = kept;
      return [chunk];
    },
    onEnd() {
      const out: StreamChunk[] = [];
      for (const [index, g] of choices) {
        if (g.finished) continue;
        const rest = g.finish();
        if (Object.keys(rest.fields).length === 0 && rest.tools.size === 0) continue;
        const c: Choice = chat
          ? { index, delta: {}, finish_reason: null }
          : { index, text: '', finish_reason: null };
        merge(chat ? (c.delta as Record<string, unknown>) : c, rest, chat);
        const base = envelope ?? {};
        out.push({
          id: base.id,
          object: base.object,
          created: base.created,
          model: base.model,
          choices: [c],
        });
      }
      return out;
    },
  };
}

/** One tool-call delta: name checked, arguments through the channel. False when it says nothing now. */
function toolDelta(g: ChoiceGuard, tc: ToolDelta): boolean {
  const index = typeof tc.index === 'number' ? tc.index : 0;
  const fn = tc.function;
  if (fn !== undefined && fn !== null) {
    if (typeof fn.name === 'string' && fn.name !== '') g.toolName(index, fn.name);
    if (typeof fn.arguments === 'string') fn.arguments = g.toolArgs(index, fn.arguments);
  }
  return tc.id !== undefined || tc.type !== undefined || typeof fn?.name === 'string' || fn?.arguments !== '';
}

/** Appends the rest of a finished choice to its last delta (or completion choice). */
function merge(target: Record<string, unknown>, rest: ChoiceRest, chat: boolean): void {
  for (const [f, text] of Object.entries(rest.fields)) {
    const prev = target[f];
    target[f] = (typeof prev === 'string' ? prev : '') + text;
  }
  if (!chat || rest.tools.size === 0) return;
  const calls = Array.isArray(target.tool_calls) ? (target.tool_calls as ToolDelta[]) : [];
  for (const [index, args] of rest.tools) {
    const existing = calls.find((c) => c.index === index);
    if (existing?.function !== undefined) {
      const a = existing.function.arguments;
      existing.function.arguments = (typeof a === 'string' ? a : '') + args;
    } else calls.push({ index, function: { arguments: args } });
  }
  target.tool_calls = calls;
}
