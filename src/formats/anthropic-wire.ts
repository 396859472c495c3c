/*
 * The Anthropic Messages wire format at the ingress (POST /v1/messages): a validated Messages request
 * (fields/map-messages.ts) becomes a chat request that runs through the pipeline unchanged, and the
 * chat answer — whole or streamed — is written back as an Anthropic message or Anthropic's typed SSE
 * events. Pure data mapping: no I/O, no errors of its own (the field map refused what cannot map).
 */

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObj) : []);

function blockText(content: unknown): string {
  if (typeof content === 'string') return content;
  return list(content)
    .map((b) => (typeof b.text === 'string' ? b.text : ''))
    .join('');
}

/** Anthropic turns → OpenAI messages (tool results become `tool` messages, images `image_url` parts). */
function chatMessages(body: Json): Json[] {
  const out: Json[] = [];
  const system = body.system;
  if (system !== undefined) out.push({ role: 'system', content: blockText(system) });
  for (const m of list(body.messages)) {
    const content = m.content;
    if (m.role === 'assistant') {
      const blocks = typeof content === 'string' ? [{ type: 'text', text: content }] : list(content);
      const text = blocks
        .filter((b) => b.type === 'text')
        .map((b) => String(b.text ?? ''))
        .join('');
      const calls = blocks
        .filter((b) => b.type === 'tool_use')
        .map((b) => ({
          id: String(b.id ?? ''),
          type: 'function',
          function: { name: String(b.name ?? ''), arguments: JSON.stringify(b.input ?? {}) },
        }));
      out.push({
        role: 'assistant',
        content: text === '' && calls.length > 0 ? null : text,
        ...(calls.length > 0 ? { tool_calls: calls } : {}),
      });
      continue;
    }
    if (typeof content === 'string') {
      out.push({ role: 'user', content });
      continue;
    }
    // A user turn: tool results first (each its own `tool` message), then the rest as parts.
    const parts: Json[] = [];
    for (const b of list(content)) {
      if (b.type === 'tool_result')
        out.push({ role: 'tool', tool_call_id: String(b.tool_use_id ?? ''), content: blockText(b.content) });
      else if (b.type === 'text') parts.push({ type: 'text', text: String(b.text ?? '') });
      else if (b.type === 'image' && isObj(b.source))
        parts.push({
          type: 'image_url',
          image_url: { url: `data:${String(b.source.media_type)};base64,${String(b.source.data)}` },
        });
    }
    if (parts.length > 0) out.push({ role: 'user', content: parts });
  }
  return out;
}

/** A validated Messages request → the chat request the pipeline runs. */
export function messagesToChat(body: Json): Json {
  const out: Json = {
    model: body.model,
    messages: chatMessages(body),
    max_tokens: body.max_tokens,
  };
  if (typeof body.temperature === 'number') out.temperature = body.temperature;
  if (typeof body.top_p === 'number') out.top_p = body.top_p;
  if (Array.isArray(body.stop_sequences)) out.stop = body.stop_sequences;
  if (body.stream === true) {
    out.stream = true;
    // The Anthropic stream ends with the output count: the gateway always asks for usage.
    out.stream_options = { include_usage: true };
  }
  const userId = isObj(body.metadata) ? body.metadata.user_id : undefined;
  if (typeof userId === 'string') out.user = userId;
  const tools = list(body.tools);
  if (tools.length > 0)
    out.tools = tools.map((t) => ({
      type: 'function',
      function: {
        name: t.name,
        ...(typeof t.description === 'string' ? { description: t.description } : {}),
        parameters: t.input_schema,
      },
    }));
  const choice = body.tool_choice;
  if (isObj(choice)) {
    out.tool_choice =
      choice.type === 'tool'
        ? { type: 'function', function: { name: choice.name } }
        : choice.type === 'any'
          ? 'required'
          : choice.type === 'none'
            ? 'none'
            : 'auto';
    if (choice.disable_parallel_tool_use === true && tools.length > 0) out.parallel_tool_calls = false;
  }
  return out;
}

const STOP: Readonly<Record<string, string>> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

function parseInput(args: unknown): Json {
  try {
    const v: unknown = JSON.parse(typeof args === 'string' && args !== '' ? args : '{}');
    return isObj(v) ? v : {};
  } catch {
    return {};
  }
}

const msgId = (id: unknown): string =>
  `msg_${String(id ?? '').replace(/^chatcmpl-/, '') || Date.now().toString(36)}`;

/** A chat completion → an Anthropic message; the consumer's alias stays the `model`. */
export function chatToMessage(json: Json, alias: string): Json {
  const choice = list(json.choices)[0] ?? {};
  const message = isObj(choice.message) ? choice.message : {};
  const content: Json[] = [];
  if (typeof message.content === 'string' && message.content !== '')
    content.push({ type: 'text', text: message.content });
  for (const c of list(message.tool_calls)) {
    const f = isObj(c.function) ? c.function : {};
    content.push({
      type: 'tool_use',
      id: String(c.id ?? ''),
      name: String(f.name ?? ''),
      input: parseInput(f.arguments),
    });
  }
  const usage = isObj(json.usage) ? json.usage : {};
  return {
    id: msgId(json.id),
    type: 'message',
    role: 'assistant',
    model: alias,
    content,
    stop_reason: STOP[String(choice.finish_reason)] ?? 'end_turn',
    stop_sequence: null,
    usage: {
      input_tokens: typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : 0,
      output_tokens: typeof usage.completion_tokens === 'number' ? usage.completion_tokens : 0,
    },
  };
}

const sse = (type: string, data: Json): string =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

/**
 * Chat chunks → Anthropic's typed events: `message_start`, one content block per text run or tool
 * call (`content_block_start` / `_delta` / `_stop`), `message_delta` with the stop reason and output
 * count, `message_stop`. One encoder per streamed answer.
 */
export class AnthropicStreamEncoder {
  private started = false;
  private blocks = 0;
  /** The text block's index once opened: text held back by the output guard may arrive after a tool call starts, and goes on in its block. */
  private textBlock = -1;
  /** OpenAI tool_calls index → our content-block index. */
  private readonly tools = new Map<number, number>();
  private stop = 'end_turn';
  private input = 0;
  private output = 0;

  constructor(
    private readonly alias: string,
    inputTokens: number,
  ) {
    this.input = inputTokens;
  }

  private start(id: unknown): string {
    if (this.started) return '';
    this.started = true;
    return sse('message_start', {
      message: {
        id: msgId(id),
        type: 'message',
        role: 'assistant',
        model: this.alias,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: this.input, output_tokens: 0 },
      },
    });
  }

  /** Every opened block is closed at the end, in index order (deltas carry their block's index). */
  private closeAll(): string {
    let s = '';
    for (let i = 0; i < this.blocks; i++) s += sse('content_block_stop', { index: i });
    return s;
  }

  /** One chat chunk (already inspected by the output guard) → zero or more Anthropic events. */
  chunk(c: Json): string {
    let s = this.start(c.id);
    if (isObj(c.usage)) {
      if (typeof c.usage.prompt_tokens === 'number') this.input = c.usage.prompt_tokens;
      if (typeof c.usage.completion_tokens === 'number') this.output = c.usage.completion_tokens;
    }
    const choice = list(c.choices)[0];
    if (choice === undefined) return s;
    const delta = isObj(choice.delta) ? choice.delta : {};
    if (typeof delta.content === 'string' && delta.content !== '') {
      if (this.textBlock < 0) {
        this.textBlock = this.blocks++;
        s += sse('content_block_start', { index: this.textBlock, content_block: { type: 'text', text: '' } });
      }
      s += sse('content_block_delta', {
        index: this.textBlock,
        delta: { type: 'text_delta', text: delta.content },
      });
    }
    for (const tc of list(delta.tool_calls)) {
      const i = typeof tc.index === 'number' ? tc.index : 0;
      const f = isObj(tc.function) ? tc.function : {};
      let index = this.tools.get(i);
      if (index === undefined) {
        index = this.blocks++;
        this.tools.set(i, index);
        s += sse('content_block_start', {
          index,
          content_block: { type: 'tool_use', id: String(tc.id ?? ''), name: String(f.name ?? ''), input: {} },
        });
      }
      if (typeof f.arguments === 'string' && f.arguments !== '')
        s += sse('content_block_delta', {
          index,
          delta: { type: 'input_json_delta', partial_json: f.arguments },
        });
    }
    if (typeof choice.finish_reason === 'string') this.stop = STOP[choice.finish_reason] ?? 'end_turn';
    return s;
  }

  /** The end of the answer: close the open block, the stop reason and output count, `message_stop`. */
  end(): string {
    return (
      this.start(undefined) +
      this.closeAll() +
      sse('message_delta', {
        delta: { stop_reason: this.stop, stop_sequence: null },
        usage: { output_tokens: this.output },
      }) +
      sse('message_stop', {})
    );
  }
}
