/**
 * POST /v1/messages (Anthropic Messages API, the Anthropic ingress; `@anthropic-ai/sdk`
 * `MessageCreateParamsBase` and its content-block, tool and thinking types). Every field the model
 * reads is classified here, so none escapes inspection; anything else is refused
 * (GH_ERR_UNKNOWN_FIELD). The validated request is then translated to a chat request
 * (src/formats/anthropic-wire.ts) and runs through the same pipeline: the chat map's counting and
 * guard then read the same text. Fields without a chat equivalent are accepted only where they are
 * not model input (`cache_control`, `top_k`, `thinking`), and documented as not forwarded.
 */
import { arr, type EndpointMap, either, json, obj, param, tagged, text, toolText } from './field-map.js';
import { bool, int, model, num, oneOfStrings, stopText, stream, temperature, topP } from './map-common.js';

const ID = { type: 'string', maxLength: 256 } as const;
const TOOL_NAME = { maxLength: 128, pattern: '^[a-zA-Z0-9_-]{1,128}$' };

const cacheControl = obj(
  {
    type: param(oneOfStrings('ephemeral'), 'cache type'),
    ttl: param(oneOfStrings('5m', '1h'), 'cache lifetime'),
  },
  'prompt-caching breakpoint (not forwarded: a caching hint, not model input)',
  { required: ['type'] },
);

const textBlock = obj({ text: text('text'), cache_control: cacheControl }, 'text block', {
  required: ['text'],
});

const imageBlock = obj(
  {
    source: tagged(
      'type',
      {
        base64: obj(
          {
            media_type: param(
              oneOfStrings('image/jpeg', 'image/png', 'image/gif', 'image/webp'),
              'image type',
            ),
            data: param({ type: 'string' }, 'image bytes (base64): not read by the guard, hence opt-in'),
          },
          'inline image',
          { required: ['media_type', 'data'] },
        ),
      },
      'image source (URLs are refused: the gateway fetches nothing)',
    ),
    cache_control: cacheControl,
  },
  'image block (forwarded as an image_url part)',
  { required: ['source'], optIn: 'image_url' },
);

const toolUseBlock = obj(
  {
    id: param(ID, 'tool use id'),
    name: text('called tool', TOOL_NAME),
    input: json({ type: 'object' }, 'structured', 'arguments the model wrote'),
    cache_control: cacheControl,
  },
  'a tool call the model made earlier (model-authored)',
  { required: ['id', 'name', 'input'] },
);

const toolResultBlock = obj(
  {
    tool_use_id: param(ID, 'the call this answers'),
    content: either(
      [
        text('tool output'),
        arr(tagged('type', { text: textBlock }, 'result block'), 'result blocks', { maxItems: 64 }),
      ],
      'tool output: a string or text blocks',
    ),
    is_error: param(bool, 'the tool failed'),
    cache_control: cacheControl,
  },
  'tool result (indirect content: its own injection threshold)',
  { required: ['tool_use_id'], kind: 'indirect' },
);

const thinkingBlock = obj(
  { thinking: text('replayed reasoning'), signature: param({ type: 'string' }, 'provider signature') },
  'replayed thinking (not forwarded)',
  { required: ['thinking'] },
);

const blocks = (variants: Record<string, ReturnType<typeof obj>>) =>
  either(
    [
      text('message text'),
      arr(tagged('type', variants, 'content block, by type'), 'content blocks', { maxItems: 256 }),
    ],
    'message content: a string or blocks',
  );

const message = tagged(
  'role',
  {
    user: obj(
      { content: blocks({ text: textBlock, image: imageBlock, tool_result: toolResultBlock }) },
      'consumer turn',
      { required: ['content'] },
    ),
    assistant: obj(
      { content: blocks({ text: textBlock, tool_use: toolUseBlock, thinking: thinkingBlock }) },
      'replayed model turn (model-authored)',
      { required: ['content'] },
    ),
  },
  'a conversation turn',
);

const tool = obj(
  {
    name: toolText('tool name', TOOL_NAME),
    description: toolText('what the tool does'),
    input_schema: json({ type: 'object' }, 'schema', 'JSON schema of the input'),
    type: param(oneOfStrings('custom'), 'custom tool (server tools are refused)'),
    cache_control: cacheControl,
  },
  'a tool the model may call (indirect content)',
  { required: ['name', 'input_schema'], kind: 'indirect' },
);

export const MESSAGES_MAP: EndpointMap = {
  endpoint: 'messages',
  root: obj(
    {
      model,
      max_tokens: param(int(1, 1_000_000), 'output cap; clamped to caps.maxOutputTokens'),
      messages: arr(message, 'the conversation', { minItems: 1, maxItems: 100_000 }),
      system: either(
        [
          text('operator instructions'),
          arr(tagged('type', { text: textBlock }, 'system block'), 'system blocks', { maxItems: 64 }),
        ],
        'operator instructions (trusted: no injection check)',
        { kind: 'system' },
      ),
      tools: arr(tool, 'tools', { maxItems: 128 }),
      tool_choice: tagged(
        'type',
        {
          auto: obj({ disable_parallel_tool_use: param(bool, 'one call at most') }, 'model decides'),
          any: obj({ disable_parallel_tool_use: param(bool, 'one call at most') }, 'must call a tool'),
          none: obj({}, 'no tool calls'),
          tool: obj(
            {
              name: text('forced tool', TOOL_NAME),
              disable_parallel_tool_use: param(bool, 'one call at most'),
            },
            'must call this tool',
            { required: ['name'] },
          ),
        },
        'tool policy',
      ),
      stop_sequences: arr(stopText, 'stop sequences', { maxItems: 8 }),
      stream,
      temperature: { ...temperature, schema: num(0, 1) },
      top_p: topP,
      top_k: param(int(0, 1_000_000), 'top-k sampling (not forwarded: no chat equivalent)'),
      metadata: obj(
        {
          user_id: param({ type: 'string', maxLength: 256 }, 'end-user id (forwarded as `user`)', {
            nullable: true,
          }),
        },
        'request metadata',
      ),
      thinking: tagged(
        'type',
        {
          enabled: obj(
            { budget_tokens: param(int(1024, 1_000_000), 'reasoning budget') },
            'extended thinking',
            {
              required: ['budget_tokens'],
            },
          ),
          disabled: obj({}, 'no extended thinking'),
        },
        'extended thinking (not forwarded)',
      ),
      service_tier: param(oneOfStrings('auto', 'standard_only'), 'capacity tier (not forwarded)'),
    },
    'Anthropic Messages request',
    { required: ['model', 'max_tokens', 'messages'] },
  ),
  framing: { base: 3, items: 'messages', perItem: 3, perName: 1 },
};
