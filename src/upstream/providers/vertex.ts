import { importPKCS8, SignJWT } from 'jose';
import type { VertexSettings } from '../../config/schema/provider-settings.js';
import { GatehouseError } from '../../errors/gatehouse-error.js';
import type { ModelEndpoint, ProviderTranslator } from '../../formats/provider.js';
import { sseEvents } from './native-streams.js';
import {
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
import { formTokenSource, type TokenSource } from './token-source.js';

/*
 * Google Vertex AI, Gemini models: generateContent / streamGenerateContent (`alt=sse`), regional
 * endpoint https://<location>-aiplatform.googleapis.com (or a Private Service Connect host), with an
 * OAuth token from the service account's signed-JWT exchange.
 */

const STOP: Readonly<Record<string, FinishReason>> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
};

const STATUSES: Readonly<Record<string, ProviderFailure>> = {
  RESOURCE_EXHAUSTED: 'rate_limited',
  INVALID_ARGUMENT: 'rejected',
  FAILED_PRECONDITION: 'rejected',
};

/** JSON Schema keywords Gemini's OpenAPI-subset schema refuses; dropped from tool parameters. */
const UNSUPPORTED_SCHEMA_KEYS = new Set(['$schema', 'additionalProperties', '$id', '$defs', 'strict']);

function geminiSchema(v: unknown, depth = 0): unknown {
  if (depth > 32 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => geminiSchema(x, depth + 1));
  const out: Json = {};
  for (const [k, x] of Object.entries(v))
    if (!UNSUPPORTED_SCHEMA_KEYS.has(k)) out[k] = geminiSchema(x, depth + 1);
  return out;
}

export function toGeminiRequest(body: Json): Json {
  const system: Json[] = [];
  const contents: Array<{ role: 'user' | 'model'; parts: Json[] }> = [];
  // Gemini's function responses name the function, not a call id.
  const names = new Map<string, string>();
  const push = (role: 'user' | 'model', parts: Json[]): void => {
    if (parts.length === 0) return;
    const last = contents.at(-1);
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  for (const t of readTurns(body)) {
    switch (t.role) {
      case 'system':
        system.push({ text: t.text });
        break;
      case 'user':
        push(
          'user',
          t.parts.map((p) =>
            p.type === 'text' ? { text: p.text } : { inlineData: { mimeType: p.mediaType, data: p.base64 } },
          ),
        );
        break;
      case 'assistant':
        for (const c of t.toolCalls) names.set(c.id, c.name);
        push('model', [
          ...(t.text === '' ? [] : [{ text: t.text }]),
          ...t.toolCalls.map((c) => ({ functionCall: { name: c.name, args: parseArgs(c.arguments) } })),
        ]);
        break;
      case 'tool':
        push('user', [
          {
            functionResponse: {
              name: names.get(t.toolCallId) ?? t.toolCallId,
              response: { content: t.text },
            },
          },
        ]);
        break;
    }
  }
  const s = readSampling(body);
  const out: Json = {
    contents,
    generationConfig: {
      ...(s.maxTokens === undefined ? {} : { maxOutputTokens: s.maxTokens }),
      ...(s.temperature === undefined ? {} : { temperature: s.temperature }),
      ...(s.topP === undefined ? {} : { topP: s.topP }),
      ...(s.stop === undefined ? {} : { stopSequences: s.stop }),
    },
  };
  if (system.length > 0) out.systemInstruction = { parts: system };
  const tools = readTools(body);
  if (tools.length > 0)
    out.tools = [
      {
        functionDeclarations: tools.map((t) => ({
          name: t.name,
          ...(t.description === undefined ? {} : { description: t.description }),
          parameters: geminiSchema(t.parameters),
        })),
      },
    ];
  const choice = readToolChoice(body);
  if (choice !== undefined)
    out.toolConfig = {
      functionCallingConfig:
        typeof choice === 'object'
          ? { mode: 'ANY', allowedFunctionNames: [choice.name] }
          : { mode: choice === 'auto' ? 'AUTO' : choice === 'none' ? 'NONE' : 'ANY' },
    };
  return out;
}

interface Candidate {
  text: string;
  calls: ToolCall[];
  finish: string | undefined;
}

function candidateOf(json: Json, callBase: number): Candidate {
  const cands = Array.isArray(json.candidates) ? (json.candidates as Json[]) : [];
  const c = cands[0] ?? {};
  const parts = Array.isArray((c.content as Json | undefined)?.parts)
    ? ((c.content as Json).parts as Json[])
    : [];
  let text = '';
  const calls: ToolCall[] = [];
  for (const p of parts) {
    if (typeof p.text === 'string' && p.thought !== true) text += p.text;
    const fc = p.functionCall as Json | undefined;
    if (fc !== undefined)
      calls.push({
        id: `call_${callBase + calls.length}`,
        name: String(fc.name ?? ''),
        arguments: JSON.stringify(fc.args ?? {}),
      });
  }
  return { text, calls, finish: typeof c.finishReason === 'string' ? c.finishReason : undefined };
}

const usageOf = (json: Json) => {
  const u = (json.usageMetadata ?? {}) as Json;
  const n = (v: unknown): number => (typeof v === 'number' ? v : 0);
  // Thinking tokens are billed as output.
  return { input: n(u.promptTokenCount), output: n(u.candidatesTokenCount) + n(u.thoughtsTokenCount) };
};

const finishOf = (c: Candidate, hadCalls: boolean): FinishReason =>
  hadCalls ? 'tool_calls' : (STOP[c.finish ?? 'STOP'] ?? 'stop');

export function fromGeminiResponse(json: Json, model: string): Json {
  const c = candidateOf(json, 0);
  return completion(model, c.text, c.calls, finishOf(c, c.calls.length > 0), usageOf(json));
}

async function* adapt(body: AsyncIterable<Buffer>, model: string): AsyncGenerator<Buffer> {
  const w = new ChunkWriter(model);
  let calls = 0;
  let last: Json = {};
  let finish: FinishReason | null = null;
  for await (const ev of sseEvents(body)) {
    if (ev.data === '') continue;
    let json: Json;
    try {
      json = JSON.parse(ev.data) as Json;
    } catch {
      throw new GatehouseError('GH_ERR_UPSTREAM_BAD_RESPONSE');
    }
    if (json.error !== undefined)
      throw providerError(STATUSES[String((json.error as Json).status)] ?? 'error');
    const c = candidateOf(json, calls);
    let out = w.text(c.text);
    for (const call of c.calls) out += w.toolStart(calls++, call.id, call.name, call.arguments);
    if (c.finish !== undefined) finish = finishOf(c, calls > 0);
    if (json.usageMetadata !== undefined) last = json;
    if (out !== '') yield Buffer.from(out);
  }
  // Gemini has no end marker: the stream's end is the answer's, and the last usageMetadata counts.
  yield Buffer.from(w.finish(finish ?? 'stop') + w.end(usageOf(last)));
}

interface ServiceAccountKey {
  readonly client_email: string;
  readonly private_key: string;
  readonly token_uri: string;
}

export function parseServiceAccount(text: string): ServiceAccountKey {
  let v: Partial<ServiceAccountKey>;
  try {
    v = JSON.parse(text) as Partial<ServiceAccountKey>;
  } catch {
    throw new Error('vertex.serviceAccount: not a JSON service-account key');
  }
  if (typeof v.client_email !== 'string' || typeof v.private_key !== 'string')
    throw new Error('vertex.serviceAccount: client_email and private_key are required');
  return {
    client_email: v.client_email,
    private_key: v.private_key,
    token_uri: typeof v.token_uri === 'string' ? v.token_uri : 'https://oauth2.googleapis.com/token',
  };
}

/** Google's JWT-bearer grant: a one-hour assertion signed with the service account's key. */
export function serviceAccountTokens(key: ServiceAccountKey): TokenSource {
  const keyPromise = importPKCS8(key.private_key, 'RS256');
  return formTokenSource(key.token_uri, async () => {
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({ scope: 'https://www.googleapis.com/auth/cloud-platform' })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(key.client_email)
      .setSubject(key.client_email)
      .setAudience(key.token_uri)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(await keyPromise);
    return { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion };
  });
}

export function createVertexTranslator(
  settings: VertexSettings,
  tokens: TokenSource,
  model: string,
): ProviderTranslator {
  const base = `/v1/projects/${settings.project}/locations/${settings.location}/publishers/${settings.publisher}/models/${encodeURIComponent(model)}`;
  const chatOnly = (endpoint: ModelEndpoint): void => {
    if (endpoint !== 'chat') throw new GatehouseError('GH_ERR_PROVIDER_UNSUPPORTED');
  };
  return {
    kind: 'vertex',
    streamUsage: true,
    request: (endpoint, body, stream = false) => {
      chatOnly(endpoint);
      return {
        path: stream ? `${base}:streamGenerateContent?alt=sse` : `${base}:generateContent`,
        body: toGeminiRequest(body),
      };
    },
    response: (_e, json) => fromGeminiResponse(json, model),
    chunk: (_e, json) => json,
    adaptStream: (_e, body) => adapt(body, model),
    authorize: async () => ({ authorization: `Bearer ${await tokens.token()}` }),
    mapError: (status, _h, text) => {
      const e = (errorBody(text).error ?? {}) as Json;
      return providerError(STATUSES[String(e.status)] ?? failureOfStatus(status));
    },
  };
}
