/**
 * POST /v1/chat/completions, after the OpenAI API reference (openai-node `ChatCompletionCreateParamsBase`
 * and its message, content-part, tool and response-format types; test/unit/validate/sdk-coverage.test.ts
 * fails when the SDK has a field this map does not classify).
 */
import { arr, type EndpointMap, either, json, obj, param, tagged, text, toolText } from './field-map.js';
import { content, FN_NAME, message, textPart } from './map-chat-messages.js';
import {
  bool,
  int,
  logitBias,
  maxTokens,
  model,
  n,
  oneOfStrings,
  penalty,
  seed,
  stopText,
  stream,
  streamOptions,
  temperature,
  topP,
  user,
} from './map-common.js';

const functionDef = obj(
  {
    name: toolText('function name', FN_NAME),
    description: toolText('what the function does'),
    parameters: json({ type: 'object' }, 'schema', 'JSON schema of the arguments'),
    strict: param(bool, 'strict schema adherence', { nullable: true }),
  },
  'a function the model may call',
  { required: ['name'] },
);

const grammarFormat = tagged(
  'type',
  {
    text: obj({}, 'free text input'),
    grammar: obj(
      {
        grammar: obj(
          {
            definition: toolText('grammar definition'),
            syntax: param(oneOfStrings('lark', 'regex'), 'grammar syntax'),
          },
          'the grammar',
          { required: ['definition', 'syntax'] },
        ),
      },
      'grammar-constrained input',
      { required: ['grammar'] },
    ),
  },
  'input format of a custom tool',
);

const tool = tagged(
  'type',
  {
    function: obj({ function: functionDef }, 'function tool', { required: ['function'] }),
    custom: obj(
      {
        custom: obj(
          {
            name: toolText('tool name', FN_NAME),
            description: toolText('what the tool does'),
            format: grammarFormat,
          },
          'the tool',
          { required: ['name'] },
        ),
      },
      'custom tool',
      { required: ['custom'] },
    ),
  },
  'a tool the model may call, by type',
);

const toolChoice = either(
  [
    param(oneOfStrings('none', 'auto', 'required'), 'tool choice mode'),
    tagged(
      'type',
      {
        function: obj(
          {
            function: obj({ name: text('forced function', FN_NAME) }, 'the function', { required: ['name'] }),
          },
          'force one function',
          { required: ['function'] },
        ),
        custom: obj(
          { custom: obj({ name: text('forced tool', FN_NAME) }, 'the tool', { required: ['name'] }) },
          'force one custom tool',
          { required: ['custom'] },
        ),
        allowed_tools: obj(
          {
            allowed_tools: obj(
              {
                mode: param(oneOfStrings('auto', 'required'), 'mode'),
                tools: json({ type: 'array', maxItems: 128 }, 'structured', 'subset of the tools'),
              },
              'allowed subset',
              { required: ['mode', 'tools'] },
            ),
          },
          'restrict to a subset',
          { required: ['allowed_tools'] },
        ),
      },
      'named tool choice',
    ),
  ],
  'which tool the model must or may call',
  { count: 'json' },
);

const responseFormat = tagged(
  'type',
  {
    text: obj({}, 'plain text'),
    json_object: obj({}, 'any JSON object'),
    json_schema: obj(
      {
        json_schema: obj(
          {
            name: text('schema name', { maxLength: 64 }),
            description: text('what the answer is for'),
            schema: json({ type: 'object' }, 'schema', 'the JSON schema the answer must match'),
            strict: param(bool, 'strict adherence', { nullable: true }),
          },
          'the schema',
          { required: ['name'] },
        ),
      },
      'JSON matching a schema',
      { required: ['json_schema'] },
    ),
  },
  'answer format (the model reads the schema)',
  { count: 'json' },
);

const optInObject = (doc: string, optIn: string) => param({ type: 'object' }, doc, { nullable: true, optIn });

export const CHAT_MAP: EndpointMap = {
  endpoint: 'chat',
  // OpenAI's accounting: 3 tokens of framing per message, 1 more for a name, 3 to prime the reply.
  framing: { base: 3, items: 'messages', perItem: 3, perName: 1 },
  root: obj(
    {
      messages: arr(message, 'the conversation; at most caps.maxMessages', { minItems: 1, maxItems: 4096 }),
      model,
      audio: optInObject('audio output: the output guard cannot read audio', 'audio'),
      frequency_penalty: penalty('frequency penalty'),
      function_call: either(
        [
          param(oneOfStrings('none', 'auto'), 'function call mode (deprecated)'),
          obj({ name: text('forced function', FN_NAME) }, 'force one function', { required: ['name'] }),
        ],
        'function call mode (deprecated)',
      ),
      functions: arr(functionDef, 'functions the model may call (deprecated form of tools)', {
        maxItems: 128,
        kind: 'indirect',
        count: 'json',
      }),
      logit_bias: logitBias,
      logprobs: param(bool, 'return log probabilities', { nullable: true }),
      max_completion_tokens: maxTokens('output budget'),
      max_tokens: maxTokens('output budget (older name)'),
      metadata: optInObject('tags stored by the provider with a stored completion', 'metadata'),
      modalities: param(
        { type: 'array', maxItems: 2, items: oneOfStrings('text', 'audio') },
        'output modalities',
        {
          nullable: true,
          optIn: 'modalities',
        },
      ),
      moderation: optInObject('provider-side moderation request', 'moderation'),
      n,
      parallel_tool_calls: param(bool, 'allow parallel tool calls'),
      prediction: tagged(
        'type',
        {
          content: obj({ content: content({ text: textPart }) }, 'predicted output', {
            required: ['content'],
          }),
        },
        'predicted output (the model server reads it)',
        { nullable: true },
      ),
      presence_penalty: penalty('presence penalty'),
      prompt_cache_key: param(
        { type: 'string', maxLength: 1024 },
        'provider cache routing key (not model input)',
      ),
      prompt_cache_options: param(
        {
          type: 'object',
          properties: { mode: oneOfStrings('implicit', 'explicit'), ttl: oneOfStrings('30m') },
          additionalProperties: false,
        },
        'provider prompt-cache options',
        { nullable: true },
      ),
      prompt_cache_retention: param(oneOfStrings('in-memory', '24h'), 'provider prompt-cache retention', {
        nullable: true,
      }),
      reasoning_effort: param(
        oneOfStrings('none', 'minimal', 'low', 'medium', 'high', 'xhigh'),
        'reasoning effort (reasoning tokens count as output)',
        { nullable: true },
      ),
      response_format: responseFormat,
      safety_identifier: param({ type: 'string', maxLength: 64 }, 'end-user id for provider abuse checks'),
      seed,
      service_tier: param(
        oneOfStrings('auto', 'default', 'flex', 'scale', 'priority'),
        'provider tier: changes price',
        {
          nullable: true,
          optIn: 'service_tier',
        },
      ),
      stop: either([stopText, arr(stopText, 'stop sequences', { maxItems: 4 })], 'stop sequences', {
        nullable: true,
      }),
      store: param(bool, 'provider keeps the completion (retention)', { nullable: true, optIn: 'store' }),
      stream,
      stream_options: streamOptions,
      temperature,
      tool_choice: toolChoice,
      tools: arr(tool, 'tools the model may call', { maxItems: 128, kind: 'indirect', count: 'json' }),
      top_logprobs: param(int(0, 20), 'log probabilities per token', { nullable: true }),
      top_p: topP,
      user,
      verbosity: param(oneOfStrings('low', 'medium', 'high'), 'answer verbosity', { nullable: true }),
      web_search_options: optInObject(
        'provider web search: fetched pages bypass the input guard',
        'web_search_options',
      ),
    },
    'chat completion request',
    { required: ['model', 'messages'] },
  ),
};
