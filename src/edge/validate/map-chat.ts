/**
 * POST /v1/chat/completions, after the OpenAI API reference (openai-node `ChatCompletionCreateParamsBase`
 * and its message, content-part, tool and response-format types; test/unit/validate/sdk-coverage.test.ts
 * fails when the SDK has a field this map does not classify).
 */
import {
  arr,
  type EndpointMap,
  either,
  json,
  jsonString,
  type ObjectNode,
  obj,
  param,
  tagged,
  text,
  toolText,
} from './field-map.js';
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

const FN_NAME = { maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$' };
const ID = { type: 'string', maxLength: 256 } as const;

const cacheBreakpoint = param(
  {
    type: 'object',
    required: ['mode'],
    properties: { mode: { const: 'explicit' } },
    additionalProperties: false,
  },
  'provider prompt-cache hint',
);

const textPart = obj(
  { text: text('text of a content part'), prompt_cache_breakpoint: cacheBreakpoint },
  'text part',
  { required: ['text'] },
);

const imagePart = obj(
  {
    image_url: param(
      {
        type: 'object',
        required: ['url'],
        properties: {
          url: { type: 'string', maxLength: 1_048_576 },
          detail: oneOfStrings('auto', 'low', 'high'),
        },
        additionalProperties: false,
      },
      'an image: not read by the guard and not counted, hence opt-in',
    ),
    prompt_cache_breakpoint: cacheBreakpoint,
  },
  'image part',
  { required: ['image_url'], optIn: 'image_url' },
);

const audioPart = obj(
  {
    input_audio: param(
      {
        type: 'object',
        required: ['data', 'format'],
        properties: { data: { type: 'string' }, format: oneOfStrings('wav', 'mp3') },
        additionalProperties: false,
      },
      'audio: not read by the guard and not counted, hence opt-in',
    ),
    prompt_cache_breakpoint: cacheBreakpoint,
  },
  'audio part',
  { required: ['input_audio'], optIn: 'input_audio' },
);

const filePart = obj(
  {
    file: obj(
      {
        file_data: param({ type: 'string' }, 'a file (base64): not read by the guard, hence opt-in'),
        file_id: param(ID, 'an uploaded file id'),
        filename: text('file name'),
      },
      'file reference',
    ),
    prompt_cache_breakpoint: cacheBreakpoint,
  },
  'file part',
  { required: ['file'], optIn: 'file' },
);

const refusalPart = obj({ refusal: text('a replayed refusal') }, 'refusal part', { required: ['refusal'] });

const parts = (variants: Record<string, ObjectNode>) =>
  arr(tagged('type', variants, 'content part, by type'), 'content parts', { maxItems: 256 });

const content = (variants: Record<string, ObjectNode>, o: { nullable?: boolean } = {}) =>
  either([text('message text'), parts(variants)], 'message content: a string or parts', o);

const name = text('participant name', { maxLength: 256 });

const functionCall = obj(
  { name: text('function name', FN_NAME), arguments: jsonString('arguments the model wrote (JSON)') },
  'a replayed function call (deprecated form)',
  { required: ['name', 'arguments'], nullable: true },
);

const toolCall = tagged(
  'type',
  {
    function: obj(
      {
        id: param(ID, 'tool call id'),
        function: obj(
          {
            name: text('called function', FN_NAME),
            arguments: jsonString('arguments the model wrote (JSON)'),
          },
          'the call',
          { required: ['name', 'arguments'] },
        ),
      },
      'function tool call',
      { required: ['id', 'function'] },
    ),
    custom: obj(
      {
        id: param(ID, 'tool call id'),
        custom: obj(
          { name: text('called tool', FN_NAME), input: text('input the model wrote') },
          'the call',
          { required: ['name', 'input'] },
        ),
      },
      'custom tool call',
      { required: ['id', 'custom'] },
    ),
  },
  'a tool call the model made earlier (model-authored)',
);

const trusted = { kind: 'system' as const };

const message = tagged(
  'role',
  {
    system: obj(
      { content: content({ text: textPart }), name },
      'operator instructions (trusted: no injection check)',
      {
        required: ['content'],
        ...trusted,
      },
    ),
    developer: obj({ content: content({ text: textPart }), name }, 'operator instructions (trusted)', {
      required: ['content'],
      ...trusted,
    }),
    user: obj(
      {
        content: content({ text: textPart, image_url: imagePart, input_audio: audioPart, file: filePart }),
        name,
      },
      'the consumer',
      { required: ['content'] },
    ),
    assistant: obj(
      {
        content: content({ text: textPart, refusal: refusalPart }, { nullable: true }),
        name,
        refusal: text('a replayed refusal', { nullable: true }),
        tool_calls: arr(toolCall, 'tool calls the model made', { maxItems: 128 }),
        function_call: functionCall,
        audio: param(
          { type: 'object', required: ['id'], properties: { id: ID }, additionalProperties: false },
          'a previous audio answer by id',
          { nullable: true, optIn: 'audio' },
        ),
      },
      'a replayed model turn',
    ),
    tool: obj(
      { content: content({ text: textPart }), tool_call_id: param(ID, 'the call this answers') },
      'a tool result (indirect content)',
      { required: ['content', 'tool_call_id'], kind: 'indirect' },
    ),
    function: obj(
      { content: text('a function result', { nullable: true }), name: text('function name', FN_NAME) },
      'a function result (deprecated; indirect content)',
      { required: ['name'], kind: 'indirect' },
    ),
  },
  'one message, by role',
);

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
