import { randomUUID } from 'node:crypto';
import { GatehouseError } from '../../errors/gatehouse-error.js';

/*
 * The OpenAI chat shapes the non-OpenAI translators read and write: one place that reads an OpenAI
 * request (messages, tools, sampling) and one writer for answers and stream chunks, so each
 * translator only holds its backend's own mapping.
 */

export type Json = Record<string, unknown>;

export interface ToolCall {
  readonly id: string;
  readonly name: string;
  /** The arguments as the JSON text OpenAI carries. */
  readonly arguments: string;
}

export type ChatTurn =
  | { readonly role: 'system'; readonly text: string }
  | { readonly role: 'user'; readonly parts: readonly UserPart[] }
  | { readonly role: 'assistant'; readonly text: string; readonly toolCalls: readonly ToolCall[] }
  | { readonly role: 'tool'; readonly toolCallId: string; readonly text: string };

export type UserPart =
  | { readonly type: 'text'; readonly text: string }
  /** A data: URL image (remote URLs are not fetched by the gateway). */
  | { readonly type: 'image'; readonly mediaType: string; readonly base64: string; readonly url: string };

export interface ToolDef {
  readonly name: string;
  readonly description?: string;
  readonly parameters: Json;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { readonly name: string } | undefined;

const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Text of a content field: a string, or the text parts of an array. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let s = '';
  for (const p of content) if (isObj(p) && typeof p.text === 'string') s += p.text;
  return s;
}

const DATA_URL = /^data:([\w.+/-]+);base64,([A-Za-z0-9+/=]+)$/;

function userParts(content: unknown): UserPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  const out: UserPart[] = [];
  for (const p of content) {
    if (!isObj(p)) continue;
    if (p.type === 'text' && typeof p.text === 'string') out.push({ type: 'text', text: p.text });
    else if (p.type === 'image_url') {
      const url = isObj(p.image_url) ? p.image_url.url : undefined;
      const m = typeof url === 'string' ? DATA_URL.exec(url) : null;
      // Backends without URL fetching need the bytes; the gateway never fetches a consumer's URL.
      if (m === null || m[1] === undefined || m[2] === undefined || typeof url !== 'string')
        throw new GatehouseError('GH_ERR_PROVIDER_UNSUPPORTED', {
          message: 'This model endpoint accepts images only as base64 data: URLs.',
        });
      out.push({ type: 'image', mediaType: m[1], base64: m[2], url });
    }
  }
  return out;
}

function toolCallsOf(v: unknown): ToolCall[] {
  if (!Array.isArray(v)) return [];
  const out: ToolCall[] = [];
  for (const c of v) {
    if (!isObj(c) || !isObj(c.function)) continue;
    out.push({
      id: typeof c.id === 'string' ? c.id : '',
      name: typeof c.function.name === 'string' ? c.function.name : '',
      arguments: typeof c.function.arguments === 'string' ? c.function.arguments : '{}',
    });
  }
  return out;
}

/** The conversation of an OpenAI chat request, `developer` read as `system`. */
export function readTurns(body: Json): ChatTurn[] {
  const msgs = Array.isArray(body.messages) ? body.messages : [];
  const out: ChatTurn[] = [];
  for (const m of msgs) {
    if (!isObj(m)) continue;
    switch (m.role) {
      case 'system':
      case 'developer':
        out.push({ role: 'system', text: textOf(m.content) });
        break;
      case 'user':
        out.push({ role: 'user', parts: userParts(m.content) });
        break;
      case 'assistant':
        out.push({ role: 'assistant', text: textOf(m.content), toolCalls: toolCallsOf(m.tool_calls) });
        break;
      case 'tool':
        out.push({
          role: 'tool',
          toolCallId: typeof m.tool_call_id === 'string' ? m.tool_call_id : '',
          text: textOf(m.content),
        });
        break;
    }
  }
  return out;
}

export function readTools(body: Json): ToolDef[] {
  if (!Array.isArray(body.tools)) return [];
  const out: ToolDef[] = [];
  for (const t of body.tools) {
    if (!isObj(t) || !isObj(t.function) || typeof t.function.name !== 'string') continue;
    out.push({
      name: t.function.name,
      ...(typeof t.function.description === 'string' ? { description: t.function.description } : {}),
      parameters: isObj(t.function.parameters) ? t.function.parameters : { type: 'object', properties: {} },
    });
  }
  return out;
}

export function readToolChoice(body: Json): ToolChoice {
  const c = body.tool_choice;
  if (c === 'auto' || c === 'none' || c === 'required') return c;
  if (isObj(c) && isObj(c.function) && typeof c.function.name === 'string') return { name: c.function.name };
  return undefined;
}

/** Sampling settings every backend has, under OpenAI's names. */
export interface Sampling {
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly stop?: string[];
}

export function readSampling(body: Json): Sampling {
  const max = body.max_completion_tokens ?? body.max_tokens;
  const stop = typeof body.stop === 'string' ? [body.stop] : Array.isArray(body.stop) ? body.stop : undefined;
  return {
    ...(typeof max === 'number' ? { maxTokens: max } : {}),
    ...(typeof body.temperature === 'number' ? { temperature: body.temperature } : {}),
    ...(typeof body.top_p === 'number' ? { topP: body.top_p } : {}),
    ...(stop ? { stop: stop.filter((s): s is string => typeof s === 'string') } : {}),
  };
}

/** Parses a tool call's arguments; a model's malformed JSON is kept under `_raw` rather than failing. */
export function parseArgs(text: string): Json {
  try {
    const v: unknown = JSON.parse(text === '' ? '{}' : text);
    return isObj(v) ? v : { _raw: text };
  } catch {
    return { _raw: text };
  }
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface Usage {
  readonly input: number;
  readonly output: number;
}

export const usageJson = (u: Usage): Json => ({
  prompt_tokens: u.input,
  completion_tokens: u.output,
  total_tokens: u.input + u.output,
});

/** A whole OpenAI chat completion. */
export function completion(
  model: string,
  text: string,
  toolCalls: readonly ToolCall[],
  finish: FinishReason,
  usage: Usage | null,
  id = `chatcmpl-${randomUUID()}`,
): Json {
  const message: Json = { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text };
  if (toolCalls.length > 0)
    message.tool_calls = toolCalls.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.name, arguments: c.arguments },
    }));
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message, finish_reason: finish, logprobs: null }],
    ...(usage ? { usage: usageJson(usage) } : {}),
  };
}

/**
 * Writes OpenAI `chat.completion.chunk` SSE events for one streamed answer: every event carries the
 * same id, created and model, as OpenAI's do.
 */
export class ChunkWriter {
  private readonly id = `chatcmpl-${randomUUID()}`;
  private readonly created = Math.floor(Date.now() / 1000);
  private started = false;
  private ended = false;
  constructor(private readonly model: string) {}

  private event(choices: unknown[], extra: Json = {}): string {
    return `data: ${JSON.stringify({
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices,
      ...extra,
    })}\n\n`;
  }

  private delta(delta: Json, finish: FinishReason | null = null): string {
    let s = '';
    if (!this.started) {
      this.started = true;
      s += this.event([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
    }
    return s + this.event([{ index: 0, delta, finish_reason: finish }]);
  }

  text(t: string): string {
    return t === '' ? '' : this.delta({ content: t });
  }

  toolStart(index: number, id: string, name: string, args = ''): string {
    return this.delta({
      tool_calls: [{ index, id, type: 'function', function: { name, arguments: args } }],
    });
  }

  toolArgs(index: number, args: string): string {
    return args === '' ? '' : this.delta({ tool_calls: [{ index, function: { arguments: args } }] });
  }

  finish(reason: FinishReason): string {
    return this.delta({}, reason);
  }

  /** The usage chunk (no choices), then `[DONE]`: the gateway's limiter settles on it. */
  end(usage: Usage | null): string {
    if (this.ended) return '';
    this.ended = true;
    const u = usage ? this.event([], { usage: usageJson(usage) }) : '';
    return `${u}data: [DONE]\n\n`;
  }

  get done(): boolean {
    return this.ended;
  }
}
