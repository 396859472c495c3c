import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { ModelEndpoint, ProviderTranslator } from '../../formats/provider.js';
import { ndjson } from './native-streams.js';
import {
  ChunkWriter,
  completion,
  type FinishReason,
  type Json,
  parseArgs,
  readSampling,
  readTools,
  readTurns,
  type ToolCall,
} from './openai-chat.js';
import { errorBody, failureOfStatus, providerError } from './provider-errors.js';

/*
 * Ollama's native API (`POST /api/chat`, NDJSON stream): used for what its OpenAI-compatible /v1
 * lacks (`options` such as num_ctx honoured per request, `keep_alive`, exact eval counts on every
 * answer, streamed or not). Base URL: the server root, e.g. http://ollama:11434.
 */

export function toOllamaRequest(body: Json, stream: boolean): Json {
  const s = readSampling(body);
  // Ollama's tool results carry no id; the name of the call they answer is looked up.
  const names = new Map<string, string>();
  const messages: Json[] = [];
  for (const t of readTurns(body)) {
    switch (t.role) {
      case 'system':
        messages.push({ role: 'system', content: t.text });
        break;
      case 'user': {
        const text = t.parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('');
        const images = t.parts.flatMap((p) => (p.type === 'image' ? [p.base64] : []));
        messages.push({ role: 'user', content: text, ...(images.length > 0 ? { images } : {}) });
        break;
      }
      case 'assistant':
        for (const c of t.toolCalls) names.set(c.id, c.name);
        messages.push({
          role: 'assistant',
          content: t.text,
          ...(t.toolCalls.length > 0
            ? {
                tool_calls: t.toolCalls.map((c) => ({
                  function: { name: c.name, arguments: parseArgs(c.arguments) },
                })),
              }
            : {}),
        });
        break;
      case 'tool':
        messages.push({ role: 'tool', content: t.text, tool_name: names.get(t.toolCallId) ?? '' });
        break;
    }
  }
  const options: Json = {
    ...(s.maxTokens === undefined ? {} : { num_predict: s.maxTokens }),
    ...(s.temperature === undefined ? {} : { temperature: s.temperature }),
    ...(s.topP === undefined ? {} : { top_p: s.topP }),
    ...(s.stop === undefined ? {} : { stop: s.stop }),
    ...(typeof body.seed === 'number' ? { seed: body.seed } : {}),
  };
  const tools = readTools(body);
  return {
    model: body.model,
    messages,
    stream,
    options,
    ...(tools.length > 0
      ? {
          tools: tools.map((t) => ({
            type: 'function',
            function: { name: t.name, description: t.description ?? '', parameters: t.parameters },
          })),
        }
      : {}),
  };
}

function toolCalls(message: Json, start: number): ToolCall[] {
  const calls = Array.isArray(message.tool_calls) ? (message.tool_calls as Json[]) : [];
  return calls.map((c, i) => {
    const f = (c.function ?? {}) as Json;
    return {
      id: `call_${start + i}`,
      name: String(f.name ?? ''),
      arguments: JSON.stringify(f.arguments ?? {}),
    };
  });
}

const usage = (j: Json) => ({
  input: typeof j.prompt_eval_count === 'number' ? j.prompt_eval_count : 0,
  output: typeof j.eval_count === 'number' ? j.eval_count : 0,
});

const finishOf = (j: Json, hadTools: boolean): FinishReason =>
  hadTools ? 'tool_calls' : j.done_reason === 'length' ? 'length' : 'stop';

export function fromOllamaResponse(json: Json): Json {
  const m = (json.message ?? {}) as Json;
  const calls = toolCalls(m, 0);
  return completion(
    String(json.model ?? ''),
    typeof m.content === 'string' ? m.content : '',
    calls,
    finishOf(json, calls.length > 0),
    usage(json),
  );
}

async function* adapt(body: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let w: ChunkWriter | null = null;
  let tools = 0;
  for await (const line of ndjson(body)) {
    if (typeof line.error === 'string') throw providerError('error');
    w ??= new ChunkWriter(String(line.model ?? ''));
    const m = (line.message ?? {}) as Json;
    let out = typeof m.content === 'string' ? w.text(m.content) : '';
    for (const c of toolCalls(m, tools)) out += w.toolStart(tools++, c.id, c.name, c.arguments);
    if (line.done === true) out += w.finish(finishOf(line, tools > 0)) + w.end(usage(line));
    if (out !== '') yield Buffer.from(out);
    if (w.done) return;
  }
}

export function createOllamaNativeTranslator(): ProviderTranslator {
  const chatOnly = (endpoint: ModelEndpoint): void => {
    if (endpoint !== 'chat') throw new GatehouseError('GH_ERR_PROVIDER_UNSUPPORTED');
  };
  return {
    kind: 'ollama-native',
    streamUsage: true,
    streamType: 'application/x-ndjson',
    request: (endpoint, body, stream = false) => {
      chatOnly(endpoint);
      return { path: '/api/chat', body: toOllamaRequest(body, stream) };
    },
    response: (_e, json) => fromOllamaResponse(json),
    chunk: (_e, json) => json,
    adaptStream: (_e, body) => adapt(body),
    mapError: (status, _h, text) => {
      // Ollama answers a missing model with 404; that is our configuration, not the consumer's.
      if (status === 400 && typeof errorBody(text).error === 'string') return providerError('rejected');
      return providerError(failureOfStatus(status));
    },
  };
}
