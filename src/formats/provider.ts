/** Upstream backends with a translator (src/upstream/providers/registry.ts is keyed by this union). */
export const PROVIDER_KINDS = ['openai', 'vllm', 'tgi', 'ollama'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** The data-plane endpoints Gatehouse serves (OpenAI-compatible paths). */
export type Endpoint = 'chat' | 'completions' | 'embeddings' | 'models' | 'sessions' | 'tools';
/** Endpoints served by a model deployment (the others are answered by the gateway itself). */
export type ModelEndpoint = Exclude<Endpoint, 'models' | 'sessions' | 'tools'>;

export interface UpstreamRequest {
  /** Path appended to the route's base URL path. */
  readonly path: string;
  readonly body: Record<string, unknown>;
}

/**
 * One translator per (OpenAI API, backend) pair, keyed by provider kind in a registry:
 * no `if (provider === ...)` chains anywhere else.
 */
export interface ProviderTranslator {
  readonly kind: ProviderKind;
  /** Whether the backend honours `stream_options.include_usage`; if not, usage is counted on the stream. */
  readonly streamUsage: boolean;
  request(endpoint: ModelEndpoint, body: Record<string, unknown>): UpstreamRequest;
  /** Normalise a non-streamed answer to the OpenAI shape (in place or new object). */
  response(endpoint: ModelEndpoint, json: Record<string, unknown>): Record<string, unknown>;
  /** Normalise one streamed chunk to the OpenAI chunk shape. */
  chunk(endpoint: ModelEndpoint, json: Record<string, unknown>): Record<string, unknown>;
}
