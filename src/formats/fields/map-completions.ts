/**
 * POST /v1/completions (openai-node `CompletionCreateParamsBase`) and POST /v1/embeddings
 * (`EmbeddingCreateParams`). A prompt or input is text, a list of texts, or token ids.
 */
import { arr, type EndpointMap, either, obj, param, text } from './field-map.js';
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
  TOKEN_ID,
  temperature,
  topP,
  user,
} from './map-common.js';

const MAX_INPUTS = 2048;

/** Text, texts, token ids or lists of token ids; `kind` says whose text it is. */
const promptLike = (doc: string, kind: 'user' | 'indirect') =>
  either(
    [
      text(doc),
      arr(text(`one ${doc}`), `a list of ${doc}s`, { minItems: 1, maxItems: MAX_INPUTS }),
      param(
        { type: 'array', minItems: 1, items: TOKEN_ID },
        'token ids: counted one per id, not read by the guard',
        {
          count: 'token-ids',
        },
      ),
      param(
        { type: 'array', minItems: 1, maxItems: MAX_INPUTS, items: { type: 'array', items: TOKEN_ID } },
        'lists of token ids: counted one per id, not read by the guard',
        { count: 'token-ids' },
      ),
    ],
    doc,
    { kind },
  );

export const COMPLETIONS_MAP: EndpointMap = {
  endpoint: 'completions',
  framing: { base: 0, perItem: 0, perName: 0 },
  root: obj(
    {
      model,
      prompt: promptLike('prompt', 'user'),
      best_of: param(int(1, 20), 'candidates generated server-side; at most caps.maxN', { nullable: true }),
      echo: param(bool, 'echo the prompt back in the answer (the output guard reads it)', { nullable: true }),
      frequency_penalty: penalty('frequency penalty'),
      logit_bias: logitBias,
      logprobs: param(int(0, 5), 'log probabilities of the top tokens', { nullable: true }),
      max_tokens: maxTokens('output budget'),
      n,
      presence_penalty: penalty('presence penalty'),
      seed,
      stop: either([stopText, arr(stopText, 'stop sequences', { maxItems: 4 })], 'stop sequences', {
        nullable: true,
      }),
      stream,
      stream_options: streamOptions,
      suffix: text('text after the insertion point (the model reads it)', { nullable: true }),
      temperature,
      top_p: topP,
      user,
    },
    'completion request',
    { required: ['model', 'prompt'] },
  ),
};

export const EMBEDDINGS_MAP: EndpointMap = {
  endpoint: 'embeddings',
  framing: { base: 0, perItem: 0, perName: 0 },
  root: obj(
    {
      model,
      input: promptLike('input', 'indirect'),
      dimensions: param(int(1, 65_536), 'output dimensions'),
      encoding_format: param(oneOfStrings('float', 'base64'), 'vector encoding'),
      user,
    },
    'embeddings request',
    { required: ['model', 'input'] },
  ),
};
