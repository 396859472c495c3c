import type { ModelEndpoint } from '../../formats/provider.js';

/**
 * JSON schemas of the OpenAI request bodies Gatehouse accepts. Known fields are typed and bounded;
 * unknown top-level fields pass (providers add sampling options often) but are still covered by the
 * depth, size and key checks.
 */
const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const posInt = { type: 'integer', minimum: 1 } as const;
const stop = { anyOf: [str, { type: 'array', items: str, maxItems: 16 }, { type: 'null' }] } as const;

const common = {
  model: { type: 'string', minLength: 1, maxLength: 256 },
  stream: { type: 'boolean' },
  stream_options: {
    anyOf: [{ type: 'object', properties: { include_usage: { type: 'boolean' } } }, { type: 'null' }],
  },
  max_tokens: { anyOf: [posInt, { type: 'null' }] },
  n: { anyOf: [posInt, { type: 'null' }] },
  temperature: { anyOf: [{ type: 'number', minimum: 0, maximum: 2 }, { type: 'null' }] },
  top_p: { anyOf: [{ type: 'number', minimum: 0, maximum: 1 }, { type: 'null' }] },
  presence_penalty: { anyOf: [{ type: 'number', minimum: -2, maximum: 2 }, { type: 'null' }] },
  frequency_penalty: { anyOf: [{ type: 'number', minimum: -2, maximum: 2 }, { type: 'null' }] },
  seed: { anyOf: [{ type: 'integer' }, { type: 'null' }] },
  stop,
  user: { type: 'string', maxLength: 256 },
  logit_bias: { anyOf: [{ type: 'object', additionalProperties: num }, { type: 'null' }] },
} as const;

const contentPart = {
  type: 'object',
  required: ['type'],
  properties: { type: { type: 'string' }, text: str },
} as const;

const message = {
  type: 'object',
  required: ['role'],
  properties: {
    role: { enum: ['system', 'developer', 'user', 'assistant', 'tool', 'function'] },
    content: { anyOf: [str, { type: 'array', items: contentPart, maxItems: 256 }, { type: 'null' }] },
    name: { type: 'string', maxLength: 128 },
    tool_call_id: str,
    tool_calls: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: str,
          type: str,
          function: { type: 'object', properties: { name: str, arguments: str } },
        },
      },
    },
  },
} as const;

export const REQUEST_SCHEMAS: Readonly<Record<ModelEndpoint, object>> = {
  chat: {
    type: 'object',
    required: ['model', 'messages'],
    properties: {
      ...common,
      messages: { type: 'array', minItems: 1, items: message },
      max_completion_tokens: { anyOf: [posInt, { type: 'null' }] },
      tools: {
        type: 'array',
        maxItems: 128,
        items: {
          type: 'object',
          required: ['type'],
          properties: {
            type: str,
            function: { type: 'object', required: ['name'], properties: { name: str, description: str } },
          },
        },
      },
      response_format: { type: 'object', required: ['type'], properties: { type: str } },
      logprobs: { anyOf: [{ type: 'boolean' }, { type: 'null' }] },
      top_logprobs: { anyOf: [{ type: 'integer', minimum: 0, maximum: 20 }, { type: 'null' }] },
    },
  },
  completions: {
    type: 'object',
    required: ['model', 'prompt'],
    properties: {
      ...common,
      prompt: {
        anyOf: [
          str,
          { type: 'array', items: str, minItems: 1 },
          { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 1 },
          { type: 'array', items: { type: 'array', items: { type: 'integer', minimum: 0 } }, minItems: 1 },
        ],
      },
      echo: { type: 'boolean' },
      best_of: { anyOf: [posInt, { type: 'null' }] },
      suffix: { anyOf: [str, { type: 'null' }] },
      logprobs: { anyOf: [{ type: 'integer', minimum: 0, maximum: 5 }, { type: 'null' }] },
    },
  },
  embeddings: {
    type: 'object',
    required: ['model', 'input'],
    properties: {
      model: common.model,
      input: {
        anyOf: [
          str,
          { type: 'array', items: str, minItems: 1, maxItems: 2048 },
          { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 1 },
          { type: 'array', items: { type: 'array', items: { type: 'integer', minimum: 0 } }, minItems: 1 },
        ],
      },
      encoding_format: { enum: ['float', 'base64'] },
      dimensions: posInt,
      user: common.user,
    },
  },
};
