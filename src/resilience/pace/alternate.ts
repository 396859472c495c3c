import { Readable } from 'node:stream';
import type { RouteResilience } from '../../config/schema/resilience.js';
import type { RequestContext } from '../../pipeline/context.js';
import type { RuntimeRoute } from '../../pipeline/runtime.js';

type HighRisk = RouteResilience['alternate']['highRisk'];

/**
 * Alternate's risk split (seed: "cached/static responses for high-risk queries"): high-risk when the
 * route's tier, the consumer, an input detector's score or the tools offered say so.
 */
export function isHighRisk(ctx: RequestContext, route: RuntimeRoute, hr: HighRisk): boolean {
  if (route.tier >= hr.minTier) return true;
  const consumer = ctx.identity?.consumer;
  if (consumer !== undefined && hr.consumers.includes(consumer)) return true;
  for (const v of ctx.verdicts) if (v.phase === 'input' && v.score >= hr.minScore) return true;
  const tools = ctx.body?.tools;
  return hr.toolsOffered && Array.isArray(tools) && tools.length > 0;
}

/**
 * The configured static answer in the shape the endpoint returns (chat or text completion), whole or
 * as an SSE stream; it then goes through the output guard and delivery like a model's answer.
 * False for endpoints with no text answer (embeddings): those are refused.
 */
export function staticAnswer(ctx: RequestContext, text: string): boolean {
  const id = `gh-static-${ctx.requestId}`;
  const created = Math.floor(Date.now() / 1000);
  const model = String(ctx.body?.model ?? '');
  if (ctx.endpoint !== 'chat' && ctx.endpoint !== 'completions') return false;
  const chat = ctx.endpoint === 'chat';
  if (!ctx.stream) {
    const choice = chat
      ? { index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }
      : { index: 0, text, finish_reason: 'stop' };
    ctx.upstream = {
      status: 200,
      json: {
        id,
        object: chat ? 'chat.completion' : 'text_completion',
        created,
        model,
        choices: [choice],
        usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
      },
      stream: null,
    };
    ctx.usage = { inputTokens: 0, outputTokens: 0 };
    ctx.usageSource = 'upstream';
    return true;
  }
  const object = chat ? 'chat.completion.chunk' : 'text_completion';
  const delta = chat ? { index: 0, delta: { role: 'assistant', content: text } } : { index: 0, text };
  const end = chat
    ? { index: 0, delta: {}, finish_reason: 'stop' }
    : { index: 0, text: '', finish_reason: 'stop' };
  const ev = (choice: object) =>
    `data: ${JSON.stringify({ id, object, created, model, choices: [choice] })}\n\n`;
  const sse = `${ev(delta)}${ev(end)}data: [DONE]\n\n`;
  ctx.upstream = { status: 200, json: null, stream: Readable.from([Buffer.from(sse)]) };
  return true;
}
