/**
 * Chat messages, by role, with their content parts and replayed tool calls (the `messages` field of
 * the chat field map, map-chat.ts).
 */
import { arr, either, jsonString, type ObjectNode, obj, param, tagged, text } from './field-map.js';
import { oneOfStrings } from './map-common.js';

export const FN_NAME = { maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$' };
export const ID = { type: 'string', maxLength: 256 } as const;

const cacheBreakpoint = param(
  {
    type: 'object',
    required: ['mode'],
    properties: { mode: { const: 'explicit' } },
    additionalProperties: false,
  },
  'provider prompt-cache hint',
);

export const textPart = obj(
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

export const content = (variants: Record<string, ObjectNode>, o: { nullable?: boolean } = {}) =>
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

export const message = tagged(
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
