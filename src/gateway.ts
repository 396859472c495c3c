import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { type BuiltRuntime, buildRuntime } from './config/build-runtime.js';
import { lintReport } from './config/lint.js';
import { ConfigError } from './config/load.js';
import type { Runtime } from './config/runtime.js';
import type { GatehouseConfig } from './config/schema/index.js';
import { createDataPlaneServer, hstsValue, listen, urlOf } from './edge/listeners.js';
import { baseHeaders } from './edge/respond.js';
import { createHealthServer, createMetricsServer } from './edge/side-listeners.js';
import type { StageDef } from './pipeline/registry.js';
import { createRunner } from './pipeline/runner.js';

export interface Gateway {
  readonly url: string;
  readonly healthUrl: string | null;
  readonly metricsUrl: string | null;
  readonly rt: Runtime;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  stages?: readonly StageDef[];
  env?: NodeJS.ProcessEnv;
  /** How long close() waits for in-flight requests before cutting them. */
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
  const lint = lintReport(config);
  if (lint.errors.length > 0) throw new ConfigError(lint.errors);
  const built: BuiltRuntime = await buildRuntime(config, opts);
  const { rt } = built;
  for (const w of lint.warnings) rt.logger.warn({ event: 'config_warning' }, w);
  const s = config.server;
  const runner = createRunner(rt, built.pipeline, baseHeaders(hstsValue(s)));
  const servers: Server[] = [];
  try {
    const data = createDataPlaneServer(s, runner.handle);
    servers.push(data);
    const url = urlOf(s.tls ? 'https' : 'http', await listen(data, s.port, s.host));
    let healthUrl: string | null = null;
    let metricsUrl: string | null = null;
    if (config.health.enabled) {
      const h = createHealthServer(rt);
      servers.push(h);
      healthUrl = urlOf('http', await listen(h, config.health.port, config.health.host));
    }
    if (config.metrics.enabled) {
      const m = createMetricsServer(rt);
      servers.push(m);
      metricsUrl = urlOf('http', await listen(m, config.metrics.port, config.metrics.host));
    }
    return { url, healthUrl, metricsUrl, rt, close: () => shutdown(rt, servers, opts.drainMs ?? 5_000) };
  } catch (err) {
    await shutdown(rt, servers, 0);
    throw err;
  }
}

async function shutdown(rt: Runtime, servers: Server[], drainMs: number): Promise<void> {
  const closing = servers.map(
    (srv) =>
      new Promise<void>((resolve) => {
        if (!srv.listening) return resolve();
        srv.close(() => resolve());
        srv.closeIdleConnections();
      }),
  );
  const timer = setTimeout(() => {
    for (const srv of servers) srv.closeAllConnections();
  }, drainMs);
  await Promise.all(closing);
  clearTimeout(timer);
  for (const c of rt.closers.reverse()) {
    try {
      await c();
    } catch (err) {
      rt.logger.warn({ err }, 'closer failed');
    }
  }
  rt.logger.flush?.();
}
