import type { JudgeConfig } from '../../config/schema/judge.js';
import type { RequestContext } from '../../pipeline/context.js';
import { AGGREGATE_OWASP } from '../owasp.js';
import { toolCallsOf } from '../record.js';
import type { Finding } from '../types.js';
import { createCostJudge } from './cost.js';
import { createToolJudge } from './tools.js';

/** A finding of an aggregate judge, open in the review queue; its id dedupes it (consumer and hour, or agent and pair). */
function aggregateFinding(
  id: string,
  kind: Finding['kind'] & keyof typeof AGGREGATE_OWASP,
  ctx: RequestContext,
  scores: Readonly<Record<string, number>>,
  rationale: string,
  at: number,
): Finding {
  return {
    id,
    version: 1,
    source: 'aggregate',
    rubric: kind,
    kind,
    verdict: 'escalate',
    scores,
    confidence: 1,
    rationale,
    recordId: null,
    route: ctx.route?.alias ?? null,
    consumer: ctx.identity?.consumer ?? null,
    agent: ctx.identity?.agent ?? null,
    createdAt: at,
    status: 'open',
    claimedBy: null,
    claimedAt: null,
    decision: null,
    decidedBy: null,
    decidedAt: null,
    notes: [],
    owasp: AGGREGATE_OWASP[kind],
  };
}

/** Tool names the model called in this answer (non-streamed answers). */
function toolNames(ctx: RequestContext): string[] {
  const json = ctx.upstream?.json;
  if (json == null || !Array.isArray(json.choices)) return [];
  const first = (json.choices as unknown[])[0];
  const msg =
    first !== null && typeof first === 'object'
      ? (first as { message?: Record<string, unknown> }).message
      : undefined;
  return toolCallsOf(msg).map((t) => t.name);
}

/** The judges that need no model, fed by every authenticated request (not only sampled ones). */
export function createAggregates(cfg: JudgeConfig['aggregate'], now: () => number = Date.now) {
  const cost = createCostJudge(cfg, now);
  const tools = createToolJudge(cfg);
  return {
    observe(ctx: RequestContext): Finding[] {
      const id = ctx.identity;
      if (id === null) return [];
      const out: Finding[] = [];
      const at = now();
      const tokens = (ctx.usage?.inputTokens ?? ctx.inputTokens) + (ctx.usage?.outputTokens ?? 0);
      for (const a of cost.observe(id.consumer, ctx.cost, tokens, ctx.quotaUsage))
        out.push(
          aggregateFinding(`agg:${a.kind}:${a.consumer}:${a.hour}`, a.kind, ctx, a.scores, a.rationale, at),
        );
      if (ctx.status === 200)
        for (const t of tools.observe(id.agent ?? id.consumer, toolNames(ctx)))
          out.push(
            aggregateFinding(
              `agg:tool_sequence:${t.agent}:${t.pair}`,
              'tool_sequence',
              ctx,
              { requests: t.requests },
              `agent called ${t.pair}, a tool-call pair not seen in its baseline`,
              at,
            ),
          );
      return out;
    },
  };
}
