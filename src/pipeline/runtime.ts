import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Dispatcher } from 'undici';
import type { GatehouseConfig } from '../config/schema/index.js';
import type { RouteConfig } from '../config/schema/route.js';
import type { ModelEndpoint, ProviderTranslator } from '../formats/provider.js';
import type { TokenCounter } from '../formats/token-counter.js';
import type { Store } from '../store/types.js';
import type { Stage } from './context.js';

/** A route with everything compiled at boot. */
export interface RuntimeRoute {
  readonly alias: string;
  readonly config: Readonly<RouteConfig>;
  readonly tier: 1 | 2 | 3;
  readonly endpoints: ReadonlySet<ModelEndpoint>;
  readonly provider: ProviderTranslator;
  /** Keep-alive pool to this deployment's origin. */
  readonly dispatcher: Dispatcher;
  readonly origin: string;
  /** Base path of the upstream URL without a trailing slash (e.g. `/v1`). */
  readonly basePath: string;
  /** Resolved upstream headers (credentials included); never logged. */
  readonly upstreamHeaders: Readonly<Record<string, string>>;
  readonly countTokens: TokenCounter;
  /** The route-scoped stages, built once at boot by the pipeline builder. */
  stages: readonly Stage[];
}

/**
 * Shared feature services (limiter, authenticator, detector engine, audit sinks ...): an opaque
 * holder. Each feature declares a typed key (`defineService`, src/pipeline/slot.ts) in its folder
 * and sets it from its feature's `service`; no feature adds fields here.
 */
export type Services = object;

/**
 * The derived runtime: the frozen config plus compiled objects and shared services.
 * Features add their services through typed keys (src/pipeline/slot.ts).
 */
export interface Runtime {
  readonly config: Readonly<GatehouseConfig>;
  readonly routes: ReadonlyMap<string, RuntimeRoute>;
  readonly store: Store;
  readonly logger: Logger;
  readonly metrics: Registry;
  readonly services: Services;
  /** Release pools, timers and connections. */
  readonly closers: Array<() => Promise<void> | void>;
}
