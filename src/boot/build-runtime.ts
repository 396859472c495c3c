import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { Pool } from 'undici';
import type { GatehouseConfig } from '../config/schema/index.js';
import type { RouteConfig } from '../config/schema/route.js';
import { resolveSecret } from '../config/secrets.js';
import type { ModelEndpoint } from '../formats/provider.js';
import type { TokenCounter } from '../formats/token-counter.js';
import { compileUpstreamTls } from '../http/tls-client.js';
import { type BuiltPipeline, buildEdge, buildRoute, checkStageDefs } from '../pipeline/build.js';
import type { Feature } from '../pipeline/feature.js';
import type { StageDef } from '../pipeline/registry.js';
import type { Runtime, RuntimeRoute, Services } from '../pipeline/runtime.js';
import { completionStagesKey } from '../pipeline/upstream-policy.js';
import { createMemoryStore } from '../store/memory.js';
import { createRedisStore } from '../store/redis.js';
import type { Store } from '../store/types.js';
import { createLogger } from '../telemetry/logger.js';
import { createProvider, type ProviderDeps } from '../upstream/providers/registry.js';
import { cachedTokenCounter } from '../upstream/token-cache.js';
import { loadTokenCounter } from '../upstream/tokenizer.js';
import { FEATURES, stagesOf } from './features.js';

type StoreConfig = GatehouseConfig['store'];
const STORE_FACTORIES: { [K in StoreConfig['kind']]: (c: Extract<StoreConfig, { kind: K }>) => Store } = {
  memory: () => createMemoryStore(),
  redis: (c) =>
    createRedisStore({
      url: resolveSecret(c.url),
      prefix: c.prefix,
      connectTimeoutMs: c.connectTimeoutMs,
      commandTimeoutMs: c.commandTimeoutMs,
    }),
};

export interface BuildOptions {
  logger?: Logger;
  /** The features to load (default FEATURES): their services, stages and lint rules. */
  features?: readonly Feature[];
  /** A subset of those features' stages to build (tests and benches); default all of them. */
  stages?: readonly StageDef[];
  env?: NodeJS.ProcessEnv;
}

export interface BuiltRuntime {
  readonly rt: Runtime;
  readonly pipeline: BuiltPipeline;
}

/** Derives the runtime from the frozen config: compiled routes, pools, services, then each route's pipeline. */
export async function buildRuntime(
  config: Readonly<GatehouseConfig>,
  opts: BuildOptions = {},
): Promise<BuiltRuntime> {
  const logger = opts.logger ?? createLogger(config.log.level);
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics, prefix: 'gatehouse_' });
  const storeCfg = config.store;
  const store = (STORE_FACTORIES[storeCfg.kind] as (c: StoreConfig) => Store)(storeCfg);
  const closers: Array<() => Promise<void> | void> = [() => store.close()];
  try {
    const routes = new Map<string, RuntimeRoute>();
    for (const rc of config.routes) {
      const route = await compileRoute(rc, { env: opts.env ?? process.env, logger, metrics });
      routes.set(rc.alias, route);
      closers.push(() => route.dispatcher.close());
    }
    const rt: Runtime = { config, routes, store, logger, metrics, services: {} as Services, closers };
    const features = opts.features ?? FEATURES;
    for (const f of features) await f.service?.(rt);
    // Constraints may name a stage of a feature this build leaves out (it then orders nothing);
    // a name no known feature has is a typo, refused at boot.
    const known = stagesOf([...new Set([...FEATURES, ...features])]);
    const defs = checkStageDefs(opts.stages ?? stagesOf(features), known);
    const pipeline = buildEdge(rt, defs);
    // Replays outside the HTTP runner (the contingency queue) settle and audit like any request.
    completionStagesKey.set(rt, pipeline.completion);
    for (const route of routes.values()) route.stages = buildRoute(rt, route, defs);
    return { rt, pipeline };
  } catch (err) {
    // A failed boot closes what it opened (a Redis client reconnecting forever would keep the
    // process alive after the error was printed): newest first, each closer's failure only logged.
    await closeAll(closers, logger);
    throw err;
  }
}

/** Runs closers newest first; one that throws does not stop the others. */
export async function closeAll(
  closers: Array<() => Promise<void> | void>,
  logger: Pick<Logger, 'warn'>,
): Promise<void> {
  for (const c of closers.splice(0).reverse()) {
    try {
      await c();
    } catch (err) {
      logger.warn({ err }, 'closer failed');
    }
  }
}

async function compileRoute(rc: RouteConfig, deps: ProviderDeps): Promise<RuntimeRoute> {
  const env = deps.env;
  const url = new URL(rc.upstream.url);
  const provider = await createProvider(rc, deps);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(rc.upstream.headers)) headers[k.toLowerCase()] = resolveSecret(v, env);
  if (rc.upstream.apiKey !== undefined) {
    const key = resolveSecret(rc.upstream.apiKey, env);
    // Azure wants `api-key`, Anthropic `x-api-key`; the OpenAI-compatible backends a bearer token.
    if (provider.apiKeyHeader !== undefined) headers[provider.apiKeyHeader] = key;
    else headers.authorization = `Bearer ${key}`;
  }
  const dispatcher = new Pool(url.origin, {
    connections: rc.upstream.connections,
    // CA, client certificate, server name, minimum version and pins (src/upstream/transport.ts).
    connect: { timeout: rc.timeouts.connectMs, ...compileUpstreamTls(rc.upstream.tls, env) },
    ...(rc.upstream.socketPath === undefined ? {} : { socketPath: rc.upstream.socketPath }),
    keepAliveTimeout: 30_000,
    pipelining: 1,
  });
  return {
    alias: rc.alias,
    config: rc,
    tier: rc.tier,
    endpoints: new Set<ModelEndpoint>(rc.endpoints),
    provider,
    dispatcher,
    origin: url.origin,
    basePath: url.pathname.replace(/\/+$/, ''),
    upstreamHeaders: Object.freeze(headers),
    countTokens: cachedCounter(await loadTokenCounter(rc.tokenizer)),
    stages: [],
  };
}

/**
 * One count cache per tokenizer (routes sharing an encoding share it), 4 M characters each: about
 * 8 MB, a few thousand long messages.
 */
const TOKEN_CACHES = new WeakMap<TokenCounter, TokenCounter>();
function cachedCounter(inner: TokenCounter): TokenCounter {
  let c = TOKEN_CACHES.get(inner);
  if (c === undefined) {
    c = cachedTokenCounter(inner, { maxChars: 4 * 1024 * 1024 });
    TOKEN_CACHES.set(inner, c);
  }
  return c;
}
