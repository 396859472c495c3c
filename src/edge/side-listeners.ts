import { createServer, type Server } from 'node:http';
import type { Runtime } from '../config/runtime.js';

const JSON_HEADERS = {
  'content-type': 'application/json',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/**
 * Health on its own port: status and model aliases only — no versions, config or system details.
 * `/ready` is 503 while the shared store is unreachable.
 */
export function createHealthServer(rt: Runtime): Server {
  const aliases = [...rt.routes.keys()];
  const health = JSON.stringify({ status: 'ok' });
  return createServer((req, res) => {
    const path = req.url?.split('?')[0];
    if (req.method !== 'GET') return end(res, 405, '{"status":"method not allowed"}');
    if (path === '/health') return end(res, 200, health);
    // Which alert signals can fire now (evaluating, warming_up until, disabled): no silent warm-up.
    const alerts = rt.services.telemetry?.alerts;
    if (path === '/health/alerts' && alerts) return end(res, 200, JSON.stringify(alerts.health()));
    // Public keys that verify the signed x-gatehouse-identity header, for upstreams inside Zone 2.
    if (path === '/.well-known/gatehouse-jwks.json' && rt.services.auth)
      return end(res, 200, JSON.stringify(rt.services.auth.publicJwks()));
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
export function createMetricsServer(rt: Runtime): Server {
  return createServer((req, res) => {
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
