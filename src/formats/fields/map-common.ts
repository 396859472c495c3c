/**
 * Field-map entries shared by the endpoints, with the numeric ranges the OpenAI API documents. Every
 * number has both bounds: JSON.parse turns `1e309` into Infinity, which passes a bare `integer` type.
 */
import { type JsonSchema, type LeafNode, param, text } from './field-map.js';

export const int = (minimum: number, maximum: number): JsonSchema => ({ type: 'integer', minimum, maximum });
export const num = (minimum: number, maximum: number): JsonSchema => ({ type: 'number', minimum, maximum });
export const bool: JsonSchema = { type: 'boolean' };
export const oneOfStrings = (...values: string[]): JsonSchema => ({ type: 'string', enum: values });

// 2^31 - 1: far above any model's context, small enough to stay an exact integer everywhere.
const MAX_TOKENS = 2_147_483_647;
// Token ids of every shipped tokenizer fit far below this.
export const TOKEN_ID: JsonSchema = int(0, 4_294_967_295);

export const model: LeafNode = param(
  { type: 'string', minLength: 1, maxLength: 256 },
  'the route alias; the gateway sends the pinned model instead',
);
export const stream: LeafNode = param(bool, 'stream the answer (SSE)', { nullable: true });
export const streamOptions: LeafNode = param(
  {
    type: 'object',
    properties: { include_usage: bool, include_obfuscation: bool },
    additionalProperties: false,
  },
  'gateway-managed: usage is always requested upstream when the provider supports it',
  { nullable: true },
);
export const maxTokens = (doc: string): LeafNode =>
  param(int(1, MAX_TOKENS), `${doc}; clamped to caps.maxOutputTokens`, { nullable: true });
export const n: LeafNode = param(int(1, 128), 'choices to generate; at most caps.maxN', { nullable: true });
export const temperature: LeafNode = param(num(0, 2), 'sampling temperature', { nullable: true });
export const topP: LeafNode = param(num(0, 1), 'nucleus sampling', { nullable: true });
export const penalty = (doc: string): LeafNode => param(num(-2, 2), doc, { nullable: true });
export const seed: LeafNode = param(int(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER), 'sampling seed', {
  nullable: true,
});
export const logitBias: LeafNode = param(
  {
    type: 'object',
    maxProperties: 1024,
    propertyNames: { pattern: '^[0-9]{1,10}$' },
    additionalProperties: num(-100, 100),
  },
  'token id -> bias (-100..100)',
  { nullable: true },
);
export const user: LeafNode = param(
  { type: 'string', maxLength: 256 },
  'end-user id for the provider (not model input)',
);
export const stopText = text('a stop sequence (sent to the model server, not read by the model)', {
  maxLength: 1024,
  kind: 'data',
});
