import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import type { ManagedSettings } from '../../config/schema/provider-settings.js';
import type { ProviderTranslator } from '../../formats/provider.js';

/*
 * Provider quota per deployment (the seed's "Quota approaching limit" signal): the operator's
 * allocated tokens/requests per minute, counted here, and the provider's own rate-limit headers
 * (limit and remaining), read from every answer. At `alertAt` (80% by default) of either, a
 * `provider.quota_approaching` alert is logged once per minute and dimension, and the utilisation
 * is exported as `gatehouse_provider_quota_utilization`.
 */

type Headers = Readonly<Record<string, string | string[] | undefined>>;
export type QuotaDimension = 'requests' | 'tokens';

/** The providers' header pairs (limit, remaining) per dimension: OpenAI/Azure, then Anthropic. */
const HEADER_PAIRS: ReadonlyArray<readonly [QuotaDimension, string, string]> = [
  ['requests', 'x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests'],
  ['tokens', 'x-ratelimit-limit-tokens', 'x-ratelimit-remaining-tokens'],
  ['requests', 'anthropic-ratelimit-requests-limit', 'anthropic-ratelimit-requests-remaining'],
  ['tokens', 'anthropic-ratelimit-tokens-limit', 'anthropic-ratelimit-tokens-remaining'],
];

const num = (h: Headers, name: string): number | undefined => {
  const v = h[name];
  const n = typeof v === 'string' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
};

export interface QuotaAlert {
  readonly route: string;
  readonly dimension: QuotaDimension;
  readonly source: 'allocated' | 'provider';
  readonly used: number;
  readonly limit: number;
  readonly ratio: number;
}

export class ProviderQuota {
  private minute = -1;
  private requests = 0;
  private tokens = 0;
  private readonly alerted = new Set<string>();

  constructor(
    private readonly route: string,
    private readonly settings: NonNullable<ManagedSettings['quota']> | undefined,
    private readonly onAlert: (a: QuotaAlert) => void,
    private readonly gauge: Gauge<'route' | 'dimension' | 'source'> | null,
    private readonly now: () => number = Date.now,
  ) {}

  private roll(): void {
    const m = Math.floor(this.now() / 60_000);
    if (m === this.minute) return;
    this.minute = m;
    this.requests = 0;
    this.tokens = 0;
    this.alerted.clear();
  }

  private check(dimension: QuotaDimension, source: QuotaAlert['source'], used: number, limit: number): void {
    if (limit <= 0) return;
    const ratio = used / limit;
    this.gauge?.set({ route: this.route, dimension, source }, ratio);
    const key = `${dimension}:${source}`;
    if (ratio >= (this.settings?.alertAt ?? 0.8) && !this.alerted.has(key)) {
      this.alerted.add(key);
      this.onAlert({ route: this.route, dimension, source, used, limit, ratio });
    }
  }

  /** One answer from the provider: a request, its tokens when known, and its rate-limit headers. */
  observe(headers: Headers, tokens: number): void {
    this.roll();
    this.requests += 1;
    this.tokens += tokens;
    const q = this.settings;
    if (q?.requestsPerMinute !== undefined)
      this.check('requests', 'allocated', this.requests, q.requestsPerMinute);
    if (q?.tokensPerMinute !== undefined) this.check('tokens', 'allocated', this.tokens, q.tokensPerMinute);
    for (const [dimension, limitName, remainingName] of HEADER_PAIRS) {
      const limit = num(headers, limitName);
      const remaining = num(headers, remainingName);
      if (limit !== undefined && remaining !== undefined)
        this.check(dimension, 'provider', limit - remaining, limit);
    }
  }
}

const usageTokens = (json: Record<string, unknown> | null): number => {
  const u = json?.usage as
    | {
        prompt_tokens?: unknown;
        completion_tokens?: unknown;
        input_tokens?: unknown;
        output_tokens?: unknown;
        inputTokens?: unknown;
        outputTokens?: unknown;
      }
    | undefined;
  if (u === undefined || u === null) return 0;
  let n = 0;
  for (const v of [
    u.prompt_tokens,
    u.completion_tokens,
    u.input_tokens,
    u.output_tokens,
    u.inputTokens,
    u.outputTokens,
  ])
    if (typeof v === 'number') n += v;
  return n;
};

const gauges = new WeakMap<Registry, Gauge<'route' | 'dimension' | 'source'>>();

function gaugeFor(metrics: Registry): Gauge<'route' | 'dimension' | 'source'> {
  let g = gauges.get(metrics);
  if (g === undefined) {
    g = new Gauge({
      name: 'gatehouse_provider_quota_utilization',
      help: "Share of the provider quota used this minute, per route and dimension (allocated: the operator's TPM/RPM; provider: its rate-limit headers)",
      labelNames: ['route', 'dimension', 'source'],
      registers: [metrics],
    });
    gauges.set(metrics, g);
  }
  return g;
}

/** Wraps a translator so every answer feeds the deployment's quota tracker. */
export function withQuota(
  t: ProviderTranslator,
  route: string,
  managed: ManagedSettings | undefined,
  logger: Logger,
  metrics: Registry,
): ProviderTranslator {
  const quota = new ProviderQuota(
    route,
    managed?.quota,
    (a) =>
      logger.warn(
        { event: 'alert', alert: 'provider.quota_approaching', severity: 'medium', ...a },
        'provider quota approaching its limit',
      ),
    gaugeFor(metrics),
  );
  const inner = t.observe;
  return {
    ...t,
    observe: (status, headers, json, audit) => {
      quota.observe(headers, usageTokens(json));
      inner?.(status, headers, json, audit);
    },
  };
}
