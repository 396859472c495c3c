import type { ProviderKind, ProviderTranslator } from '../../formats/provider.js';
import { createOpenAICompatTranslator } from './openai-compat.js';

/** One translator per provider kind; adding a backend is one entry here. */
export const PROVIDERS: Readonly<Record<ProviderKind, ProviderTranslator>> = Object.freeze({
  openai: createOpenAICompatTranslator('openai', true),
  vllm: createOpenAICompatTranslator('vllm', true),
  // TGI's Messages API and Ollama's /v1 accept stream_options; usage is also counted as a fallback.
  tgi: createOpenAICompatTranslator('tgi', true),
  ollama: createOpenAICompatTranslator('ollama', true),
});
