import type { BedrockSettings } from '../../config/schema/provider-settings.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { ModelEndpoint, ProviderTranslator } from '../../formats/provider.js';
import { awsEventStream } from './native-streams.js';
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
import { errorBody, failureOfStatus, type ProviderFailure, providerError } from './provider-errors.js';
import { type AwsCredentials, createSigV4 } from './sigv4.js';

/*
 * Amazon Bedrock's Converse / ConverseStream API: one request shape for every Bedrock model, SigV4
 * signed, streamed as AWS event-stream frames. Base URL: https://bedrock-runtime.<region>.amazonaws.com
 * (or the deployment's VPC endpoint host).
 */

const STOP: Readonly<Record<string, FinishReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
};

/** Bedrock exception names (`x-amzn-errortype`, stream `:exception-type`), lower-cased first letter. */
const EXCEPTIONS: Readonly<Record<string, ProviderFailure>> = {
  throttlingException: 'rate_limited',
  serviceQuotaExceededException: 'rate_limited',
  validationException: 'rejected',
  modelStreamErrorException: 'error',
  internalServerException: 'error',
  serviceUnavailableException: 'error',
  modelTimeoutException: 'error',
};

const IMAGE_FORMATS = new Set(['png', 'jpeg', 'gif', 'webp']);

function toBedrockMessages(turns: readonly ChatTurn[]): { system: Json[]; messages: Json[] } {
  const system: Json[] = [];
  const messages: Array<{ role: 'user' | 'assistant'; content: Json[] }> = [];
  const push = (role: 'user' | 'assistant', blocks: Json[]): void => {
    if (blocks.length === 0) return;
    const last = messages.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const t of turns) {
    switch (t.role) {
      case 'system':
        system.push({ text: t.text });
        break;
      case 'user':
        push(
          'user',
          t.parts.map((p) => {
            if (p.type === 'text') return { text: p.text };
            const format = p.mediaType.replace(/^image\//, '');
            if (!IMAGE_FORMATS.has(format)) throw new GatehouseError('GH_ERR_PROVIDER_UNSUPPORTED');
            return { image: { format, source: { bytes: p.base64 } } };
          }),
        );
        break;
      case 'assistant':
        push('assistant', [
          ...(t.text === '' ? [] : [{ text: t.text }]),
          ...t.toolCalls.map((c) => ({
            toolUse: { toolUseId: c.id, name: c.name, input: parseArgs(c.arguments) },
          })),
        ]);
        break;
      case 'tool':
        push('user', [{ toolResult: { toolUseId: t.toolCallId, content: [{ text: t.text }] } }]);
        break;
    }
  }
  return { system, messages };
}

export function toBedrockRequest(body: Json, settings: BedrockSettings): Json {
  const { system, messages } = toBedrockMessages(readTurns(body));
  const s = readSampling(body);
  const inference: Json = {
    ...(s.maxTokens === undefined ? {} : { maxTokens: s.maxTokens }),
    ...(s.temperature === undefined ? {} : { temperature: s.temperature }),
    ...(s.topP === undefined ? {} : { topP: s.topP }),
    ...(s.stop === undefined ? {} : { stopSequences: s.stop }),
  };
  const out: Json = { messages, inferenceConfig: inference };
  if (system.length > 0) out.system = system;
  const tools = readTools(body);
  const choice = readToolChoice(body);
  // Converse has no "none": a request that forbids tools simply does not offer them.
  if (tools.length > 0 && choice !== 'none') {
    const toolConfig: Json = {
      tools: tools.map((t) => ({
        toolSpec: {
          name: t.name,
          ...(t.description === undefined ? {} : { description: t.description }),
          inputSchema: { json: t.parameters },
        },
      })),
    };
    if (choice === 'auto') toolConfig.toolChoice = { auto: {} };
    else if (choice === 'required') toolConfig.toolChoice = { any: {} };
    else if (choice !== undefined) toolConfig.toolChoice = { tool: { name: choice.name } };
    out.toolConfig = toolConfig;
  }
  if (settings.guardrail !== undefined)
    out.guardrailConfig = {
      guardrailIdentifier: settings.guardrail.identifier,
      guardrailVersion: settings.guardrail.version,
      trace: settings.guardrail.trace,
    };
  return out;
}

const usageOf = (u: unknown) => {
  const j = (u ?? {}) as Json;
  return {
    input: typeof j.inputTokens === 'number' ? j.inputTokens : 0,
    output: typeof j.outputTokens === 'number' ? j.outputTokens : 0,
  };
};

export function fromBedrockResponse(json: Json, model: string): Json {
  const output = (json.output ?? {}) as Json;
  const message = (output.message ?? {}) as Json;
  const blocks = Array.isArray(message.content) ? (message.content as Json[]) : [];
  let text = '';
  const calls: ToolCall[] = [];
  for (const b of blocks) {
    if (typeof b.text === 'string') text += b.text;
    const use = b.toolUse as Json | undefined;
    if (use !== undefined)
      calls.push({
        id: String(use.toolUseId ?? ''),
        name: String(use.name ?? ''),
        arguments: JSON.stringify(use.input ?? {}),
      });
  }
  return completion(model, text, calls, STOP[String(json.stopReason)] ?? 'stop', usageOf(json.usage));
}

async function* adapt(body: AsyncIterable<Buffer>, model: string): AsyncGenerator<Buffer> {
  const w = new ChunkWriter(model);
  let finish: FinishReason = 'stop';
  const tools = new Map<number, number>();
  for await (const ev of awsEventStream(body)) {
    if (ev.messageType === 'exception' || ev.messageType === 'error')
      throw providerError(EXCEPTIONS[ev.eventType] ?? 'error');
    const p = ev.payload;
    let out = '';
    switch (ev.eventType) {
      case 'contentBlockStart': {
        const use = ((p.start ?? {}) as Json).toolUse as Json | undefined;
        if (use !== undefined) {
          const i = tools.size;
          tools.set(Number(p.contentBlockIndex), i);
          out = w.toolStart(i, String(use.toolUseId ?? ''), String(use.name ?? ''));
        }
        break;
      }
      case 'contentBlockDelta': {
        const d = (p.delta ?? {}) as Json;
        if (typeof d.text === 'string') out = w.text(d.text);
        const use = d.toolUse as Json | undefined;
        const i = tools.get(Number(p.contentBlockIndex));
        if (use !== undefined && i !== undefined && typeof use.input === 'string')
          out = w.toolArgs(i, use.input);
        break;
      }
      case 'messageStop':
        finish = STOP[String(p.stopReason)] ?? 'stop';
        out = w.finish(finish);
        break;
      case 'metadata':
        // The last event: token counts (and the guardrail trace, when enabled).
        out = w.end(usageOf(p.usage));
        break;
    }
    if (out !== '') yield Buffer.from(out);
    if (w.done) return;
  }
}

export function createBedrockTranslator(
  settings: BedrockSettings,
  creds: AwsCredentials,
  model: string,
): ProviderTranslator {
  const sign = createSigV4(creds, settings.region, 'bedrock');
  const id = encodeURIComponent(model);
  const chatOnly = (endpoint: ModelEndpoint): void => {
    if (endpoint !== 'chat') throw new GatehouseError('GH_ERR_PROVIDER_UNSUPPORTED');
  };
  return {
    kind: 'bedrock',
    streamUsage: true,
    streamType: 'application/vnd.amazon.eventstream',
    request: (endpoint, body, stream = false) => {
      chatOnly(endpoint);
      return {
        path: `/model/${id}/${stream ? 'converse-stream' : 'converse'}`,
        body: toBedrockRequest(body, settings),
      };
    },
    response: (_e, json) => fromBedrockResponse(json, model),
    chunk: (_e, json) => json,
    adaptStream: (_e, body) => adapt(body, model),
    authorize: (req) => {
      const url = new URL(req.origin);
      return sign({
        method: req.method,
        hostname: url.hostname,
        ...(url.port === '' ? {} : { port: Number(url.port) }),
        path: req.path,
        // Signed: the host and the content type; the body is covered by its hash.
        headers: { host: url.host, 'content-type': req.headers['content-type'] ?? 'application/json' },
        body: req.body,
      });
    },
    mapError: (status, h, text) => {
      const type =
        typeof h['x-amzn-errortype'] === 'string' ? h['x-amzn-errortype'].split(':')[0] : undefined;
      const name =
        type ??
        String(errorBody(text).__type ?? '')
          .split('#')
          .pop() ??
        '';
      const key = name.charAt(0).toLowerCase() + name.slice(1);
      return providerError(EXCEPTIONS[key] ?? failureOfStatus(status));
    },
  };
}
