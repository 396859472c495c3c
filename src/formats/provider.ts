/** Upstream backends with a translator (src/upstream/providers/registry.ts is keyed by this union). */
export const PROVIDER_KINDS = [
  'openai',
  'vllm',
  'tgi',
  'ollama',
  'ollama-native',
  'azure-openai',
  'bedrock',
  'vertex',
  'anthropic',
] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** The data-plane endpoints Gatehouse serves (OpenAI-compatible paths). */
export type Endpoint = 'chat' | 'completions' | 'embeddings' | 'models' | 'sessions' | 'tools';
/** Endpoints served by a model deployment (the others are answered by the gateway itself). */
export type ModelEndpoint = Exclude<Endpoint, 'models' | 'sessions' | 'tools'>;

export interface UpstreamRequest {
  /** Path appended to the route's base URL path (may carry a query string). */
  readonly path: string;
  readonly body: Record<string, unknown>;
  /** Provider headers for this call (API version, beta flags); the auth ones come from `authorize`. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a request signer sees: the exact bytes and headers that will be sent. */
export interface SignableRequest {
  readonly method: 'POST';
  /** `https://host:port` of the deployment. */
  readonly origin: string;
  /** Full path with query, as sent. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What a provider hook may record on the request's audit event (a narrow view of the request context). */
export interface ProviderAuditSink {
  flags: string[];
}

/**
 * One translator per (OpenAI API, backend) pair, keyed by provider kind in a registry:
 * no `if (provider === ...)` chains anywhere else. The consumer always speaks the OpenAI wire
 * format; a translator maps the request to the backend's API, and its answer (whole or streamed)
 * back to the OpenAI shape.
 */
export interface ProviderTranslator {
  readonly kind: ProviderKind;
  /** Whether the backend honours `stream_options.include_usage`; if not, usage is counted on the stream. */
  readonly streamUsage: boolean;
  request(endpoint: ModelEndpoint, body: Record<string, unknown>, stream?: boolean): UpstreamRequest;
  /** Normalise a non-streamed answer to the OpenAI shape (in place or new object). */
  response(endpoint: ModelEndpoint, json: Record<string, unknown>): Record<string, unknown>;
  /** Normalise one streamed chunk to the OpenAI chunk shape. */
  chunk(endpoint: ModelEndpoint, json: Record<string, unknown>): Record<string, unknown>;
  /** Content type the backend streams with (default `text/event-stream`). */
  readonly streamType?: string;
  /**
   * Re-frames the backend's native stream (Anthropic events, Bedrock event-stream, Gemini SSE,
   * Ollama NDJSON) as OpenAI `chat.completion.chunk` SSE, ending with a usage chunk and `[DONE]`.
   * Absent: the backend already streams OpenAI SSE.
   */
  adaptStream?(endpoint: ModelEndpoint, body: AsyncIterable<Buffer>): AsyncIterable<Buffer>;
  /** Per-call credentials: a SigV4 signature, a short-lived OAuth token. Never logged. */
  authorize?(req: SignableRequest): Promise<Record<string, string>>;
  /** Header the API key goes in, sent as is (`api-key`, `x-api-key`); default `authorization: Bearer`. */
  readonly apiKeyHeader?: string;
  /**
   * The provider's own reading of an error answer (its error types, `retry-after-ms`, a content-filter
   * refusal): a catalog error (a GatehouseError; typed as Error since formats sits below errors), or
   * undefined for the default mapping (429 → 429 with `retry-after`).
   */
  mapError?(
    status: number,
    headers: Readonly<Record<string, string | string[] | undefined>>,
    body: string,
  ): Error | undefined;
  /** After every upstream answer (errors included): quota headers, content-filter results for the audit. */
  observe?(
    status: number,
    headers: Readonly<Record<string, string | string[] | undefined>>,
    json: Record<string, unknown> | null,
    audit: ProviderAuditSink,
  ): void;
}
