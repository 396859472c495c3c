import { createServer, type RequestListener } from 'node:http';
import type { GatehouseConfig } from '../config/schema/index.js';
import type { Runtime } from '../pipeline/runtime.js';
import { answerClientErrors } from './client-error.js';
import { serverTimingOptions, trackConnections } from './connections.js';
import type { Listener, ListenerDeps } from './listeners.js';

type SideConfig = GatehouseConfig['health'];

/**
 * Probes and scrapers send one small GET: tight fixed timers, so a stuck client cannot hold one of
 * the few connections these listeners allow.
 */
const SIDE_TIMERS = serverTimingOptions({
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxHeaderBytes: 8_192,
});

function sideListener(name: string, cfg: SideConfig, deps: ListenerDeps, handler: RequestListener): Listener {
  const server = createServer(SIDE_TIMERS, handler);
  server.maxRequestsPerSocket = 1_000;
  answerClientErrors(server, { listener: name, hsts: null, ...deps });
  return { name, server, connections: trackConnections(server, name, cfg, deps.metrics) };
}

const JSON_HEADERS = {
  'content-type': 'application/json',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/**
 * Health on its own port: status and model aliases only — no versions, config or system details.
 * `/ready` is 503 while the shared store is unreachable. `routes`: the features' public GETs
 * (`Feature.healthRoutes`, compiled by the composition root), by exact path.
 */
export function createHealthServer(
  rt: Runtime,
  cfg: SideConfig,
  deps: ListenerDeps,
  routes: ReadonlyMap<string, () => unknown> = new Map(),
): Listener {
  const aliases = [...rt.routes.keys()];
  const health = JSON.stringify({ status: 'ok' });
  return sideListener('health', cfg, deps, (req, res) => {
    const path = req.url?.split('?')[0];
    if (req.method !== 'GET') return end(res, 405, '{"status":"method not allowed"}');
    // A feature may extend `/health` itself (resilience: the kill switch and each route's PACE state).
    const route = path === undefined ? undefined : routes.get(path);
    if (route !== undefined) return end(res, 200, JSON.stringify(route()));
    if (path === '/health') return end(res, 200, health);
    if (path === '/ready') {
      const ok = rt.store.healthy();
      return end(
        res,
        ok ? 200 : 503,
        JSON.stringify({ status: ok ? 'ready' : 'not ready', models: aliases }),
      );
    }
    end(res, 404, '{"status":"not found"}');
  });
}

/** Prometheus metrics on their own port, never on the data plane. */
export function createMetricsServer(rt: Runtime, cfg: SideConfig, deps: ListenerDeps): Listener {
  return sideListener('metrics', cfg, deps, (req, res) => {
    const path = req.url?.split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') return end(res, 404, '{"status":"not found"}');
    rt.metrics.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': rt.metrics.contentType, 'cache-control': 'no-store' });
        res.end(text);
      },
      () => end(res, 500, '{"status":"error"}'),
    );
  });
}

function end(res: import('node:http').ServerResponse, status: number, body: string): void {
  res.writeHead(status, JSON_HEADERS);
  res.end(body);
}
