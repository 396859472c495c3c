import type { RequestListener } from 'node:http';
import type { Logger } from 'pino';
import { ConfigError } from '../config/load.js';
import { serverSchema } from '../config/schema/core.js';
import type { GatehouseConfig } from '../config/schema/index.js';
import { compileTrusted } from '../formats/client-address.js';
import { createListenerMetrics } from '../http/connections.js';
import {
  createDataPlaneServer,
  hstsValue,
  type Listener,
  type ListenerDeps,
  listen,
  urlOf,
} from '../http/listeners.js';
import { acceptProxyProtocol, type ProxySources } from '../http/proxy-protocol.js';
import { baseHeaders, sendError, sendJson } from '../http/respond.js';
import { createHealthServer, createMetricsServer } from '../http/side-listeners.js';
import { sendWeb } from '../http/web-response.js';
import type { Feature } from '../pipeline/feature.js';
import type { StageDef } from '../pipeline/registry.js';
import { createRunner } from '../pipeline/runner.js';
import type { Runtime } from '../pipeline/runtime.js';
import { deliver } from '../upstream/deliver.js';
import { buildAdminPlane } from './admin.js';
import { type BuiltRuntime, buildRuntime, closeAll } from './build-runtime.js';
import { FEATURES } from './features.js';
import { lintReport } from './lint.js';

export interface Gateway {
  readonly url: string;
  /** The admin listener (control plane), when `admin.enabled`. */
  readonly adminUrl: string | null;
  readonly healthUrl: string | null;
  readonly metricsUrl: string | null;
  readonly rt: Runtime;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** The features to load (default FEATURES, src/boot/features.ts). */
  features?: readonly Feature[];
  stages?: readonly StageDef[];
  env?: NodeJS.ProcessEnv;
  /** How long close() waits for in-flight requests before cutting them (default server.drainTimeoutMs). */
  drainMs?: number;
}

/**
 * Boots one gateway: lint (any problem refuses to start, before a port is bound), derive the
 * runtime, then bind the data plane, health and metrics listeners on their own ports.
 */
export async function startGateway(
  config: Readonly<GatehouseConfig>,
  opts: StartOptions = {},
): Promise<Gateway> {
  const lint = lintReport(config, opts.features);
  if (lint.errors.length > 0) throw new ConfigError(lint.errors);
  const built: BuiltRuntime = await buildRuntime(config, opts);
  const { rt } = built;
  for (const w of lint.warnings) rt.logger.warn({ event: 'config_warning' }, w);
  const s = config.server;
  // Set once the data listener exists (PROXY protocol v2 behind a TCP-mode balancer).
  let proxied: ProxySources = { of: () => null };
  const runner = createRunner(
    rt,
    built.pipeline,
    baseHeaders(hstsValue(s)),
    {
      deliver,
      sendJson,
      sendError,
      sendWeb,
    },
    (opts.features ?? FEATURES).flatMap((f) => f.handlers ?? []),
    (socket) => proxied.of(socket),
  );
  const deps: ListenerDeps = { metrics: createListenerMetrics(rt.metrics), logger: rt.logger };
  const inflight = new Set<Promise<void>>();
  let draining = false;
  const handle: RequestListener = (req, res) => {
    // Once draining, a request that still arrives on an open connection is served, then the
    // connection closes instead of staying alive for the next one.
    if (draining) res.setHeader('connection', 'close');
    const p = runner.handle(req, res);
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };
  const listeners: Listener[] = [];
  let closing: Promise<void> | null = null;
  const close = (drainMs: number): Promise<void> => {
    draining = true;
    closing ??= shutdown(rt, listeners, inflight, drainMs);
    return closing;
  };
  try {
    const data = createDataPlaneServer(s, handle, deps);
    listeners.push(data);
    if (config.proxy.protocol === 'v2')
      proxied = acceptProxyProtocol(data.server, {
        trusted: compileTrusted(config.proxy.trusted),
        timeoutMs: s.headersTimeoutMs,
        onRefused: (why) => deps.metrics.protocolError('data', `proxy_protocol_${why}`),
      });
    const url = urlOf(s.tls ? 'https' : 'http', await listen(data.server, s.port, s.host));
    let healthUrl: string | null = null;
    let metricsUrl: string | null = null;
    if (config.health.enabled) {
      const h = createHealthServer(rt, config.health, deps, healthRoutes(rt, opts.features ?? FEATURES));
      listeners.push(h);
      healthUrl = urlOf('http', await listen(h.server, config.health.port, config.health.host));
    }
    if (config.metrics.enabled) {
      const m = createMetricsServer(rt, config.metrics, deps);
      listeners.push(m);
      metricsUrl = urlOf('http', await listen(m.server, config.metrics.port, config.metrics.host));
    }
    let adminUrl: string | null = null;
    if (config.admin.enabled) {
      const a = config.admin;
      // The admin listener reuses the data plane's TLS/mTLS setup with its own address and caps.
      const adminServer = serverSchema.parse({
        host: a.host,
        port: a.port,
        ...(a.tls !== undefined && { tls: a.tls }),
        allowPlaintext: a.tls === undefined,
        maxBodyBytes: a.maxBodyBytes,
        maxConnections: a.maxConnections,
        maxConnectionsPerIp: a.maxConnectionsPerIp,
      });
      const plane = buildAdminPlane(
        rt,
        a,
        opts.features ?? FEATURES,
        (c) => lintReport(c, opts.features).errors,
        hstsValue(adminServer),
      );
      const l = createDataPlaneServer(adminServer, plane.handle, deps, 'admin');
      listeners.push(l);
      adminUrl = urlOf(a.tls ? 'https' : 'http', await listen(l.server, a.port, a.host));
      plane.setUrl(adminUrl);
    }
    return {
      url,
      adminUrl,
      healthUrl,
      metricsUrl,
      rt,
      close: () => close(opts.drainMs ?? s.drainTimeoutMs),
    };
  } catch (err) {
    await close(0);
    throw err;
  }
}

/** How long requests cut at the drain deadline get to run their completion stages (record). */
const SETTLE_MS = 5_000;

/**
 * Lossless shutdown: stop accepting, close idle connections, let in-flight requests finish until
 * the drain deadline, cut every connection still open (keep-alive, half-sent headers, unfinished
 * TLS handshakes), wait for the cut requests to record their audit events, then run the closers
 * (telemetry last-registered first: it flushes every event to its sink or the on-disk spool).
 */
async function shutdown(
  rt: Runtime,
  listeners: readonly Listener[],
  inflight: ReadonlySet<Promise<void>>,
  drainMs: number,
): Promise<void> {
  const stopped = listeners.map(
    (l) =>
      new Promise<void>((resolve) => {
        if (!l.server.listening) return resolve();
        l.server.close(() => resolve());
      }),
  );
  for (const l of listeners) l.server.closeIdleConnections();
  // A connection becomes idle when its last response ends: close it then, not at the deadline.
  const sweep = setInterval(() => {
    for (const l of listeners) l.server.closeIdleConnections();
  }, 50);
  await settle(inflight, drainMs);
  clearInterval(sweep);
  for (const l of listeners) l.connections.destroyAll();
  await settle(inflight, SETTLE_MS);
  await Promise.all(stopped);
  await closeAll(rt.closers, rt.logger);
  rt.logger.flush?.();
}

/** Waits until no request is in flight (new ones included) or the deadline passes. */
async function settle(inflight: ReadonlySet<Promise<void>>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (inflight.size > 0) {
    const left = end - Date.now();
    if (left <= 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...inflight]),
      new Promise<void>((r) => {
        timer = setTimeout(r, left);
      }),
    ]);
    clearTimeout(timer);
  }
}

/** The features' health-listener GETs, compiled once; a path two features claim refuses the start. */
function healthRoutes(rt: Runtime, features: readonly Feature[]): Map<string, () => unknown> {
  const out = new Map<string, () => unknown>();
  for (const f of features) {
    for (const r of f.healthRoutes ?? []) {
      if (out.has(r.path)) throw new Error(`health route ${r.path} declared twice (feature ${f.name})`);
      const serve = r.create(rt);
      if (serve !== null) out.set(r.path, serve);
    }
  }
  return out;
}
