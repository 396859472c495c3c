import type { ModelEndpoint, ProviderKind, ProviderTranslator } from '../../formats/provider.js';

const PATHS: Record<ModelEndpoint, string> = {
  chat: '/chat/completions',
  completions: '/completions',
  embeddings: '/embeddings',
};

const identity = (_e: ModelEndpoint, json: Record<string, unknown>) => json;

/**
 * vLLM, TGI (Messages API), Ollama (/v1) and OpenAI itself speak the OpenAI wire format, so one
 * translator serves them; they differ only in what they support, captured as data.
 */
export function createOpenAICompatTranslator(kind: ProviderKind, streamUsage: boolean): ProviderTranslator {
  return {
    kind,
    streamUsage,
    request: (endpoint, body) => ({ path: PATHS[endpoint], body }),
    response: identity,
    chunk: identity,
  };
}
