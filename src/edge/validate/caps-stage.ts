import { GatehouseError } from '../../errors/gatehouse-error.js';
import { mapsFor } from '../../formats/fields/maps.js';
import type { ModelEndpoint } from '../../formats/provider.js';
import type { StageDef } from '../../pipeline/registry.js';
import { bodyOf } from '../../pipeline/require.js';
import { countInputTokens } from './count.js';

/**
 * Per-route caps: message count, `n`, input tokens (every field the route's field map counts, with
 * the route's tokenizer, before the upstream is called), and the output budget: `max_tokens` / `max_completion_tokens` clamped to the
 * route cap and injected when absent. Also decides streaming and usage reporting.
 */
export const capsStage: StageDef = {
  name: 'validate.caps',
  phase: 'validate',
  scope: 'route',
  create: (_rt, route) => {
    const { maxInputTokens, maxOutputTokens, maxN, maxMessages } = route.config.caps;
    const streamUsage = route.provider.streamUsage;
    const maps = mapsFor(route.config.allowFields);
    return (ctx) => {
      const body = bodyOf(ctx);
      const endpoint = ctx.endpoint as ModelEndpoint;
      if (endpoint === 'chat' && (body.messages as unknown[]).length > maxMessages) {
        throw new GatehouseError('GH_ERR_SCHEMA', {
          message: `Invalid request: at most ${maxMessages} messages are allowed.`,
        });
      }
      const n = typeof body.n === 'number' ? body.n : 1;
      if (n > maxN)
        throw new GatehouseError('GH_ERR_N_TOO_LARGE', {
          message: `n may be at most ${maxN} for this model.`,
        });
      if (typeof body.best_of === 'number' && body.best_of > maxN) {
        throw new GatehouseError('GH_ERR_N_TOO_LARGE', {
          message: `best_of may be at most ${maxN} for this model.`,
        });
      }
      // `within`: a linear pre-check and an early stop, so a body far over the cap is never fully counted.
      // Scoped by consumer: counts are cached per message text across a conversation's turns.
      const counter = route.countTokens.within(maxInputTokens, ctx.identity?.consumer ?? '');
      ctx.inputTokens = countInputTokens(maps[endpoint], body, counter);
      if (ctx.inputTokens > maxInputTokens) {
        throw new GatehouseError('GH_ERR_INPUT_TOKENS', {
          message: `The prompt has ${ctx.inputTokens} tokens; this model accepts at most ${maxInputTokens}.`,
        });
      }
      if (endpoint === 'embeddings') {
        ctx.maxOutputTokens = 0;
        return;
      }
      const field = typeof body.max_completion_tokens === 'number' ? 'max_completion_tokens' : 'max_tokens';
      const asked = body[field];
      const clamped = typeof asked === 'number' ? Math.min(asked, maxOutputTokens) : maxOutputTokens;
      body[field] = clamped;
      ctx.maxOutputTokens = clamped * n;
      ctx.stream = body.stream === true;
      if (ctx.stream) {
        const so = body.stream_options as { include_usage?: boolean } | null | undefined;
        ctx.clientWantsUsage = so?.include_usage === true;
        if (streamUsage) body.stream_options = { include_usage: true };
      } else if (body.stream_options !== undefined) {
        // OpenAI rejects stream_options without stream; drop it rather than forward an upstream 400.
        delete body.stream_options;
      }
    };
  },
};
