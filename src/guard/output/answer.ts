/**
 * The output guard on a whole (non-streamed) answer: each choice goes through the same choice
 * guard as a stream, as a single delta, and the answer is rewritten in place before it is sent.
 */
import type { RequestContext } from '../../pipeline/context.js';
import { ChoiceGuard, TEXT_FIELDS } from './choice.js';
import type { OutputGuardRequest } from './request.js';

type ToolCall = { function?: { name?: unknown; arguments?: unknown } };

export function inspectAnswer(
  ctx: RequestContext,
  req: OutputGuardRequest,
  json: Record<string, unknown>,
): void {
  const list = json.choices;
  if (!Array.isArray(list)) return;
  const chat = ctx.endpoint === 'chat';
  for (const c of list as Array<Record<string, unknown>>) {
    if (c === null || typeof c !== 'object') continue;
    if (req.guard.policy.logprobs === 'strip' && c.logprobs != null) c.logprobs = null;
    const target = (chat ? c.message : c) as Record<string, unknown> | undefined;
    if (target === undefined || target === null) continue;
    const g = new ChoiceGuard(ctx, req);
    const seen: string[] = [];
    for (const f of TEXT_FIELDS) {
      const v = target[f];
      if (typeof v !== 'string') continue;
      seen.push(f);
      target[f] = g.text(f, v).join('');
    }
    const calls: ToolCall[] = Array.isArray(target.tool_calls) ? (target.tool_calls as ToolCall[]) : [];
    // The legacy single `function_call` is checked like a tool call.
    const legacy = target.function_call as ToolCall['function'] | undefined;
    const all: ToolCall[] =
      legacy !== undefined && legacy !== null ? [...calls, { function: legacy }] : calls;
    all.forEach((tc, i) => {
      const fn = tc.function;
      if (fn === undefined || fn === null) return;
      g.toolName(i, typeof fn.name === 'string' ? fn.name : '');
      if (typeof fn.arguments === 'string') fn.arguments = g.toolArgs(i, fn.arguments).join('');
    });
    const rest = g.finish();
    for (const f of seen) {
      const more = rest.fields[f as keyof typeof rest.fields];
      if (more !== undefined) target[f] = (target[f] as string) + more.join('');
    }
    for (const [i, more] of rest.tools) {
      const fn = all[i]?.function;
      if (fn !== undefined && fn !== null) fn.arguments = String(fn.arguments ?? '') + more.join('');
    }
  }
}
