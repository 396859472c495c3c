import { Agent, request } from 'undici';
import type { TelemetryConfig } from '../config/schema/telemetry.js';
import { clientTls } from './tls.js';

/**
 * GPU memory utilisation read from the upstream's own metrics endpoint and re-exported as
 * `gatehouse_gpu_memory_utilization_ratio`, so one scrape of Gatehouse covers the signal.
 *
 * - `dcgm` (NVIDIA DCGM exporter): `DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE)`
 *   per `gpu` label (framebuffer MiB).
 * - `vllm` (`/metrics` of the vLLM server): `vllm:gpu_cache_usage_perc` (renamed
 *   `vllm:kv_cache_usage_perc` in recent releases), the share of the KV cache in use. vLLM
 *   pre-allocates its `gpu_memory_utilization` slice at start, so KV-cache use is the part of GPU
 *   memory that moves with load.
 */
export type GpuFormat = 'vllm' | 'dcgm';
export interface GpuSample {
  readonly gpu: string;
  readonly ratio: number;
}

interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The Prometheus text exposition format, samples only (comments and types skipped). */
export function parsePromText(text: string, wanted: ReadonlySet<string>): PromSample[] {
  const out: PromSample[] = [];
  for (const raw of text.split('\n')) {
    if (raw === '' || raw.startsWith('#')) continue;
    const [, name, rawLabels, rawValue] = LINE.exec(raw) ?? [];
    if (name === undefined || !wanted.has(name)) continue;
    const labels: Record<string, string> = {};
    if (rawLabels !== undefined)
      for (const [, k, v] of rawLabels.matchAll(LABEL)) if (k !== undefined && v !== undefined) labels[k] = v;
    const value = Number(rawValue);
    if (Number.isFinite(value)) out.push({ name, labels, value });
  }
  return out;
}

const clamp = (r: number): number => Math.min(1, Math.max(0, r));

const VLLM = new Set(['vllm:gpu_cache_usage_perc', 'vllm:kv_cache_usage_perc']);
const DCGM = new Set(['DCGM_FI_DEV_FB_USED', 'DCGM_FI_DEV_FB_FREE']);

export const GPU_PARSERS: { readonly [F in GpuFormat]: (text: string) => GpuSample[] } = {
  vllm(text) {
    return parsePromText(text, VLLM).map((s) => ({
      gpu: s.labels.engine ?? s.labels.model_name ?? 'all',
      ratio: clamp(s.value),
    }));
  },
  dcgm(text) {
    const used = new Map<string, number>();
    const free = new Map<string, number>();
    for (const s of parsePromText(text, DCGM)) {
      const gpu = s.labels.gpu ?? s.labels.UUID ?? '0';
      (s.name === 'DCGM_FI_DEV_FB_USED' ? used : free).set(gpu, s.value);
    }
    const out: GpuSample[] = [];
    for (const [gpu, u] of used) {
      const f = free.get(gpu);
      if (f !== undefined && u + f > 0) out.push({ gpu, ratio: clamp(u / (u + f)) });
    }
    return out;
  },
};

export interface GpuScraper {
  scrape(): Promise<GpuSample[]>;
  close(): Promise<void>;
}

export function createGpuScraper(
  cfg: NonNullable<TelemetryConfig['metrics']['gpu']>,
  secret: (ref: string) => string,
): GpuScraper {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(cfg.headers)) headers[k] = secret(v);
  const agent = new Agent({
    connect: { ...clientTls(cfg.tls, secret), timeout: cfg.timeoutMs },
    headersTimeout: cfg.timeoutMs,
    bodyTimeout: cfg.timeoutMs,
    connections: 1,
  });
  const parse = GPU_PARSERS[cfg.format];
  return {
    async scrape() {
      const res = await request(cfg.url, { dispatcher: agent, headers });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`GPU metrics endpoint answered ${res.statusCode}`);
      return parse(text);
    },
    close: () => agent.close(),
  };
}
