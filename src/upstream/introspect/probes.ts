import { z } from 'zod';

/** The self-hosted servers whose own introspection endpoints the gateway reads. */
export type IntrospectKind = 'vllm' | 'tgi';

/** What the server says it serves: model ids with their context limit, and a revision if it has one. */
export interface BackendFacts {
  readonly models: ReadonlyArray<{ readonly id: string; readonly contextLimit: number | null }>;
  readonly revision: string | null;
}

/** GET a JSON document at a path of the server's origin (bounded and timed by the caller). */
export type GetJson = (path: string) => Promise<unknown>;

export interface Introspector {
  /** Reads the served models; `basePath` is the route URL's path (e.g. `/v1`). */
  facts(get: GetJson, basePath: string): Promise<BackendFacts>;
  /** Prometheus metric names per gauge, first present wins (names changed across server versions). */
  readonly gauges: Readonly<Record<GaugeName, readonly string[]>>;
}

export type GaugeName = 'waiting' | 'running' | 'kvCacheUsage';

// vLLM's OpenAI model list: each card carries `max_model_len` (the context window it was started with).
const vllmModels = z.object({
  data: z
    .array(z.object({ id: z.string().min(1), max_model_len: z.number().int().positive().optional() }))
    .max(1_000),
});

// TGI's /info: the loaded model, its git revision and the input limit (renamed across TGI versions).
const tgiInfo = z.object({
  model_id: z.string().min(1),
  model_sha: z.string().nullish(),
  max_input_tokens: z.number().int().positive().optional(),
  max_input_length: z.number().int().positive().optional(),
});

/** One entry per server kind; adding a server is one entry here. */
export const INTROSPECTORS: Readonly<Record<IntrospectKind, Introspector>> = Object.freeze({
  vllm: {
    async facts(get, basePath) {
      const list = vllmModels.parse(await get(`${basePath}/models`));
      return {
        models: list.data.map((m) => ({ id: m.id, contextLimit: m.max_model_len ?? null })),
        revision: null,
      };
    },
    gauges: {
      waiting: ['vllm:num_requests_waiting'],
      running: ['vllm:num_requests_running'],
      // Renamed in vLLM 0.10 (the V1 engine); older servers expose the GPU name.
      kvCacheUsage: ['vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc'],
    },
  },
  tgi: {
    async facts(get) {
      const info = tgiInfo.parse(await get('/info'));
      return {
        models: [{ id: info.model_id, contextLimit: info.max_input_tokens ?? info.max_input_length ?? null }],
        revision: info.model_sha ?? null,
      };
    },
    gauges: { waiting: ['tgi_queue_size'], running: ['tgi_batch_current_size'], kvCacheUsage: [] },
  },
});

export const isIntrospectKind = (p: string): p is IntrospectKind => Object.hasOwn(INTROSPECTORS, p);
