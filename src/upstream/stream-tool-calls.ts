import type { RequestContext, StreamChunk } from '../pipeline/context.js';

/** Tool calls kept per streamed answer (the record keeps 32; a few more let a later one replace none). */
const MAX_CALLS = 32;
const MAX_NAME = 64;

/**
 * Reassembles the tool calls of a released stream chunk (OpenAI chat deltas: `choices[].delta
 * .tool_calls[]` with an `index`, the name in the first delta, the arguments in fragments) into
 * `ctx.streamedToolCalls`. Only what the consumer was sent is seen (after the output guard), and at
 * most `cap` characters of arguments over all calls, like the released text. A chunk without tool
 * calls costs one property read per choice.
 */
export function collectToolCalls(ctx: RequestContext, chunk: StreamChunk, cap: number): void {
  const choices = chunk.choices;
  if (!Array.isArray(choices)) return;
  for (const c of choices as Array<{ index?: unknown; delta?: { tool_calls?: unknown } } | null>) {
    const deltas = c?.delta?.tool_calls;
    if (!Array.isArray(deltas)) continue;
    const choice = typeof c?.index === 'number' ? c.index : 0;
    for (const d of deltas as Array<{
      index?: unknown;
      function?: { name?: unknown; arguments?: unknown };
    }>) {
      if (d === null || typeof d !== 'object') continue;
      const index = typeof d.index === 'number' ? d.index : 0;
      const calls = ctx.streamedToolCalls;
      let call = calls.find((x) => x.choice === choice && x.index === index);
      if (call === undefined) {
        if (calls.length >= MAX_CALLS) continue;
        call = { choice, index, name: '', arguments: '' };
        calls.push(call);
      }
      const fn = d.function;
      if (typeof fn?.name === 'string' && call.name === '') call.name = fn.name.slice(0, MAX_NAME);
      if (typeof fn?.arguments === 'string' && fn.arguments !== '') {
        let used = 0;
        for (const x of calls) used += x.arguments.length;
        const room = cap - used;
        if (room > 0)
          call.arguments += fn.arguments.length <= room ? fn.arguments : fn.arguments.slice(0, room);
      }
    }
  }
}
