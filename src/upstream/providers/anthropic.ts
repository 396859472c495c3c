import type { AnthropicSettings } from '../../config/schema/provider-settings.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { ModelEndpoint, ProviderTranslator } from '../../formats/provider.js';
import { sseEvents } from './native-streams.js';
import {
  type ChatTurn,
  ChunkWriter,
  completion,
  type FinishReason,
  type Json,
  parseArgs,
  readSampling,
  readToolChoice,
  readTools,
  readTurns,
  type ToolCall,
} from './openai-chat.js';
import {
  errorBody,
  failureOfStatus,
  type ProviderFailure,
  providerError,
  retryAfterSeconds,
} from './provider-errors.js';

/** Anthropic requires `max_tokens`; the gateway's output cap normally sets it first (validate caps stage). */
const DEFAULT_MAX_TOKENS = 1024;

const STOP: Readonly<Record<string, FinishReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
  pause_turn: 'stop',
};

/** Anthropic error types (HTTP bodies and stream `error` events) in the catalog's terms. */
const ERROR_TYPES: Readonly<Record<string, ProviderFailure>> = {
  rate_limit_error: 'rate_limited',
  invalid_request_error: 'rejected',
  request_too_large: 'rejected',
  overloaded_error: 'error',
  api_error: 'error',
};

type Block = Json;

/** OpenAI turns → Anthropic `system` + alternating `messages` (tool results ride in user turns). */
export function toAnthropicMessages(turns: readonly ChatTurn[]): { system: string; messages: Json[] } {
  const system: string[] = [];
  const messages: Array<{ role: 'user' | 'assistant'; content: Block[] }> = [];
  const push = (role: 'user' | 'assistant', blocks: Block[]): void => {
    if (blocks.length === 0) return;
    const last = messages.at(-1);
    // Anthropic requires alternating roles: consecutive turns of one role are merged.
    if (last?.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const t of turns) {
    switch (t.role) {
      case 'system':
        system.push(t.text);
        break;
      case 'user':
        push(
          'user',
          t.parts.map((p) =>
            p.type === 'text'
              ? { type: 'text', text: p.text }
              : { type: 'image', source: { type: 'base64', media_type: p.mediaType, data: p.base64 } },
          ),
        );
        break;
      case 'assistant':
        push('assistant', [
          ...(t.text === '' ? [] : [{ type: 'text', text: t.text }]),
          ...t.toolCalls.map((c) => ({
            type: 'tool_use',
            id: c.id,
            name: c.name,
            input: parseArgs(c.arguments),
          })),
        ]);
        break;
      case 'tool':
        push('user', [{ type: 'tool_result', tool_use_id: t.toolCallId, content: t.text }]);
        break;
    }
  }
  return { system: system.join('\n\n'), messages };
}

export function toAnthropicRequest(body: Json, stream: boolean): Json {
  const { system, messages } = toAnthropicMessages(readTurns(body));
  const s = readSampling(body);
  const tools = readTools(body);
  const choice = readToolChoice(body);
  const out: Json = {
    model: body.model,
    messages,
    max_tokens: s.maxTokens ?? DEFAULT_MAX_TOKENS,
    ...(system === '' ? {} : { system }),
    ...(s.temperature === undefined ? {} : { temperature: s.temperature }),
    ...(s.topP === undefined ? {} : { top_p: s.topP }),
    ...(s.stop === undefined ? {} : { stop_sequences: s.stop }),
    ...(stream ? { stream: true } : {}),
  };
  if (tools.length > 0)
    out.tools = tools.map((t) => ({
      name: t.name,
      ...(t.description === undefined ? {} : { description: t.description }),
      input_schema: t.parameters,
    }));
  if (choice !== undefined)
    out.tool_choice =
      choice === 'auto'
        ? { type: 'auto' }
        : choice === 'none'
          ? { type: 'none' }
          : choice === 'required'
            ? { type: 'any' }
            : { type: 'tool', name: choice.name };
  return out;
}

/** Input tokens, cache reads and writes included: all of them count against the limiter. */
function inputTokens(u: Json): number {
  const n = (v: unknown): number => (typeof v === 'number' ? v : 0);
  return n(u.input_tokens) + n(u.cache_creation_input_tokens) + n(u.cache_read_input_tokens);
}

export function fromAnthropicResponse(json: Json): Json {
  const blocks = Array.isArray(json.content) ? (json.content as Json[]) : [];
  let text = '';
  const calls: ToolCall[] = [];
  for (const b of blocks) {
    if (b.type === 'text' && typeof b.text === 'string') text += b.text;
    else if (b.type === 'tool_use')
      calls.push({
        id: String(b.id ?? ''),
        name: String(b.name ?? ''),
        arguments: JSON.stringify(b.input ?? {}),
      });
  }
  const u = (json.usage ?? {}) as Json;
  return completion(
    String(json.model ?? ''),
    text,
    calls,
    STOP[String(json.stop_reason)] ?? 'stop',
    { input: inputTokens(u), output: typeof u.output_tokens === 'number' ? u.output_tokens : 0 },
    typeof json.id === 'string' ? json.id : undefined,
  );
}

function streamError(data: Json): GatehouseError {
  const e = (data.error ?? {}) as Json;
  return providerError(ERROR_TYPES[String(e.type)] ?? 'error');
}

/** Anthropic's typed SSE events → OpenAI chunks; tool_use blocks become indexed tool_calls deltas. */
async function* adapt(body: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let w: ChunkWriter | null = null;
  let input = 0;
  let output = 0;
  let finish: FinishReason = 'stop';
  /** Anthropic content-block index → OpenAI tool_calls index. */
  const tools = new Map<number, number>();
  for await (const ev of sseEvents(body)) {
    if (ev.data === '') continue;
    let data: Json;
    try {
      data = JSON.parse(ev.data) as Json;
    } catch {
      throw new GatehouseError('GH_ERR_UPSTREAM_BAD_RESPONSE');
    }
    let out = '';
    switch (data.type) {
      case 'message_start': {
        const m = (data.message ?? {}) as Json;
        w = new ChunkWriter(String(m.model ?? ''));
        const u = (m.usage ?? {}) as Json;
        input = inputTokens(u);
        if (typeof u.output_tokens === 'number') output = u.output_tokens;
        break;
      }
      case 'content_block_start': {
        const b = (data.content_block ?? {}) as Json;
        if (w && b.type === 'tool_use') {
          const i = tools.size;
          tools.set(Number(data.index), i);
          out = w.toolStart(i, String(b.id ?? ''), String(b.name ?? ''));
        }
        break;
      }
      case 'content_block_delta': {
        const d = (data.delta ?? {}) as Json;
        if (!w) break;
        if (d.type === 'text_delta' && typeof d.text === 'string') out = w.text(d.text);
        else if (d.type === 'input_json_delta' && typeof d.partial_json === 'string') {
          const i = tools.get(Number(data.index));
          if (i !== undefined) out = w.toolArgs(i, d.partial_json);
        }
        break;
      }
      case 'message_delta': {
        const d = (data.delta ?? {}) as Json;
        if (typeof d.stop_reason === 'string') finish = STOP[d.stop_reason] ?? 'stop';
        const u = (data.usage ?? {}) as Json;
        if (typeof u.output_tokens === 'number') output = u.output_tokens;
        break;
      }
      case 'message_stop':
        if (w) out = w.finish(finish) + w.end({ input, output });
        break;
      case 'error':
        throw streamError(data);
    }
    if (out !== '') yield Buffer.from(out);
    if (w?.done) return;
  }
}

export function createAnthropicTranslator(settings: AnthropicSettings | undefined): ProviderTranslator {
  const headers: Record<string, string> = { 'anthropic-version': settings?.version ?? '2023-06-01' };
  if (settings !== undefined && settings.beta.length > 0) headers['anthropic-beta'] = settings.beta.join(',');
  const chatOnly = (endpoint: ModelEndpoint): void => {
    if (endpoint !== 'chat') throw new GatehouseError('GH_ERR_PROVIDER_UNSUPPORTED');
  };
  return {
    kind: 'anthropic',
    streamUsage: true,
    apiKeyHeader: 'x-api-key',
    request: (endpoint, body, stream = false) => {
      chatOnly(endpoint);
      return { path: '/messages', body: toAnthropicRequest(body, stream), headers };
    },
    response: (_e, json) => fromAnthropicResponse(json),
    chunk: (_e, json) => json,
    adaptStream: (_e, body) => adapt(body),
    mapError: (status, h, text) => {
      const e = (errorBody(text).error ?? {}) as Json;
      const failure = ERROR_TYPES[String(e.type)] ?? failureOfStatus(status);
      return providerError(failure, failure === 'rate_limited' ? retryAfterSeconds(h) : undefined);
    },
  };
}
