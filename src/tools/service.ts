import { setMaxListeners } from 'node:events';
import { AUDIT_SINK } from '../pipeline/audit-sink.js';
import type { ServiceDef } from '../pipeline/feature.js';
import { KEYED_LIMITER } from '../pipeline/keyed-limits.js';
import { killViewKey } from '../pipeline/pace.js';
import type { Runtime } from '../pipeline/runtime.js';
import { defineService } from '../pipeline/slot.js';
import { TEXT_SCANNER } from '../pipeline/text-scanner.js';
import { compileAllowlist } from './allowlist.js';
import { createApprovals } from './approvals/approvals.js';
import { TOOL_APPROVALS } from './approvals/routes.js';
import { toolBlockedLine } from './audit.js';
import { createCaller } from './call.js';
import { type Catalog, createCatalog } from './catalog.js';
import { createCredentialSource } from './credentials/index.js';
import { createMcpEndpoint, type McpEndpoint } from './endpoint.js';
import { createIdempotency } from './idempotency.js';
import { createToolLimits } from './limits.js';
import { loadPins } from './manifest/load.js';
import { createToolMetrics } from './metrics.js';
import { createToolRoute } from './route.js';
import { createToolState } from './state.js';
import { createUpstream, type UpstreamServer } from './upstream/index.js';

export interface ToolsService {
  readonly endpoint: McpEndpoint;
  /** `POST /v1/tools/{name}`. */
  readonly route: ReturnType<typeof createToolRoute>;
  readonly catalog: Catalog;
}

export const TOOLS = defineService<ToolsService>('tools');

const VERSION = '0.1.0';

/**
 * Builds the tool gateway once at boot: upstream connections (stdio servers spawned here), the
 * verified pins, the catalog (first listing awaited, then refreshed every `refreshMs` to catch a
 * definition that changes under its pin), and the per-call controls.
 */
export const toolsService: ServiceDef['build'] = async (rt: Runtime) => {
  const cfg = rt.config.tools;
  if (!cfg.enabled) return;
  const log = rt.logger.child({ component: 'tools' });
  const scanner = TEXT_SCANNER.require(rt);
  // Telemetry is built after this feature: events raised during boot (a refused manifest, tools
  // blocked at the first listing) wait in a bounded queue until its sinks exist.
  const early: string[] = [];
  const emit = (line: string) => {
    const write = AUDIT_SINK.get(rt)?.emitLine;
    if (write === undefined) {
      if (early.length < 1_000) early.push(line);
      return;
    }
    for (const l of early.splice(0)) write(l);
    write(line);
  };
  const flushEarly = (tries: number) => {
    const write = AUDIT_SINK.get(rt)?.emitLine;
    if (write !== undefined) for (const l of early.splice(0)) write(l);
    else if (tries > 0) setTimeout(() => flushEarly(tries - 1), 10).unref();
    else for (const l of early.splice(0)) log.warn({ audit: l }, 'tool audit event without telemetry');
  };
  const metrics = createToolMetrics(rt.metrics);
  const { pins, check } = loadPins(cfg);
  if (check !== null && !check.ok) {
    log.error(
      { reason: check.reason },
      'tool manifest refused: no pin is trusted, tier 2+ servers are blocked',
    );
    metrics.blocked.labels('*', '*', `manifest_${check.reason}`).inc();
    emit(
      toolBlockedLine(
        {
          server: '*',
          tool: '*',
          status: `manifest_${check.reason}`,
          previous: 'unknown',
          definitionHash: null,
        },
        VERSION,
      ),
    );
  }
  const upstreams = new Map<string, UpstreamServer>();
  for (const s of cfg.servers)
    upstreams.set(s.name, createUpstream(s, createCredentialSource(s.credentials), log));
  rt.closers.push(async () => {
    await Promise.all([...upstreams.values()].map((u) => u.close()));
  });
  const catalog = createCatalog({
    servers: cfg.servers,
    upstreams,
    scanner,
    pins,
    descriptionThreshold: cfg.descriptionThreshold,
    log,
    onBlocked: (e, previous) => {
      log.error({ server: e.server.name, tool: e.tool.name, status: e.status, previous }, 'tool blocked');
      metrics.blocked.labels(e.server.name, e.tool.name, e.status).inc();
      emit(
        toolBlockedLine(
          {
            server: e.server.name,
            tool: e.tool.name,
            status: e.status,
            previous,
            definitionHash: e.definitionHash,
          },
          VERSION,
        ),
      );
    },
  });
  // One deadline for every server's first listing (one listener per server on it).
  const boot = AbortSignal.timeout(Math.max(...cfg.servers.map((s) => s.timeoutMs), 1_000));
  setMaxListeners(0, boot);
  await catalog.refresh(boot);
  for (const e of catalog.entries.values()) {
    const hint = (e.definition?.annotations as { readOnlyHint?: unknown } | undefined)?.readOnlyHint;
    if (hint === true && e.tool.access === 'write')
      log.warn(
        { tool: e.name },
        'the server hints read-only; the operator classifies it write (kept: write)',
      );
    if (hint !== true && e.tool.access === 'read')
      log.warn({ tool: e.name }, 'the operator classifies as read a tool the server does not hint read-only');
  }
  let refreshing = false;
  const timer = setInterval(() => {
    if (refreshing) return;
    refreshing = true;
    const signal = AbortSignal.timeout(cfg.refreshMs);
    setMaxListeners(0, signal);
    void catalog
      .refresh(signal)
      .catch((err: unknown) => log.warn({ err }, 'tool catalog refresh failed'))
      .finally(() => {
        refreshing = false;
      });
  }, cfg.refreshMs);
  timer.unref();
  rt.closers.push(() => clearInterval(timer));

  const state = createToolState(rt.store);
  const approvals = createApprovals(state, { ttlMs: cfg.approvals.ttlMs, url: cfg.approvals.url });
  TOOL_APPROVALS.set(rt, approvals);
  const allowlist = compileAllowlist(cfg);
  const call = createCaller({
    catalog,
    allowlist,
    approvals,
    idempotency: createIdempotency(state),
    limits: createToolLimits(cfg.servers, KEYED_LIMITER.get(rt)),
    metrics,
    scanner,
    emit,
    version: VERSION,
    // Read per call: the resilience feature's service is built before this one, but may be absent.
    killed: (server, name) => {
      const k = killViewKey.get(rt);
      return k !== undefined && (k.stops('tool', server) || k.stops('tool', name));
    },
  });
  const endpoint = createMcpEndpoint({
    catalog,
    allowlist,
    call,
    maxBodyBytes: rt.config.server.maxBodyBytes,
    legacyUrlElicitation: cfg.approvals.legacyUrlElicitation,
  });
  rt.closers.push(() => endpoint.close());
  TOOLS.set(rt, { endpoint, catalog, route: createToolRoute(call) });
  flushEarly(500);
};
