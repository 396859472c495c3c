import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Counter } from 'prom-client';
import type { EgressConfig } from '../config/schema/egress.js';
import { resolveSecret, secretRefKind } from '../config/secrets.js';
import { AUDIT_SINK } from '../pipeline/audit-sink.js';
import { killViewKey } from '../pipeline/pace.js';
import type { Runtime } from '../pipeline/runtime.js';
import { defineService } from '../pipeline/slot.js';
import type { EgressEvent } from './events.js';
import { EgressMeter } from './meter.js';
import { compileIdentities } from './policy.js';
import { createEgressProxy } from './proxy.js';
import { createResolver } from './resolve.js';

export interface EgressService {
  /** Binds the proxy's listener (once); resolves with its address. */
  start(): Promise<AddressInfo>;
  readonly address: () => AddressInfo | null;
}

export const EGRESS = defineService<EgressService>('egress');

function tlsOptions(cfg: EgressConfig) {
  const t = cfg.tls;
  if (!t) return undefined;
  return {
    cert: readFileSync(t.cert),
    key: secretRefKind(t.key) === 'inline' ? readFileSync(t.key) : resolveSecret(t.key),
    ...(t.clientCa !== undefined && { ca: readFileSync(t.clientCa) }),
    requestCert: t.clientAuth !== 'none',
    minVersion: t.minVersion,
    ciphers: t.ciphers,
  };
}

/**
 * Builds the proxy from `egress` (identities' secrets resolved and allow rules compiled here, once).
 * `gatehouse start` binds it when `egress.enabled`; `gatehouse egress` always does.
 */
export function createEgressService(rt: Runtime): EgressService {
  const cfg = rt.config.egress;
  const denied = new Counter({
    name: 'gatehouse_egress_connections_total',
    help: 'Egress proxy connection attempts by identity, verdict and reason',
    labelNames: ['identity', 'verdict', 'reason'],
    registers: [rt.metrics],
  });
  const log = rt.logger.child({ component: 'egress' });
  const record = (ev: EgressEvent) => {
    denied.inc({ identity: ev.identity ?? 'unknown', verdict: ev.verdict, reason: ev.reason ?? 'none' });
    if (ev.verdict === 'deny')
      log.warn(
        { event: 'egress_denied', identity: ev.identity, host: ev.host, port: ev.port, reason: ev.reason },
        'egress denied',
      );
    AUDIT_SINK.get(rt)?.security(
      {
        action: 'egress.connection',
        verdict: ev.verdict,
        reason: ev.reason,
        method: ev.method,
        host: ev.host,
        port: ev.port,
        address: ev.address,
        bytesUp: ev.bytesUp,
        bytesDown: ev.bytesDown,
        durationMs: ev.durationMs,
      },
      { consumer: ev.identity, sourceIp: ev.sourceIp, requestId: ev.id },
    );
  };
  const tls = tlsOptions(cfg);
  const proxy = createEgressProxy({
    config: cfg,
    identities: compileIdentities(cfg, (ref) => resolveSecret(ref)),
    resolve: createResolver(cfg.dnsServers, cfg.connectTimeoutMs),
    meter: new EgressMeter(rt.store, ''),
    record,
    // Read per attempt: the resilience feature's service is built after this one.
    killed: (identity) => killViewKey.get(rt)?.stops('egress', identity) ?? false,
    ...(tls !== undefined && { tls }),
  });
  const server = proxy.server;
  let started: Promise<AddressInfo> | null = null;
  rt.closers.push(
    () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
        proxy.closeTunnels();
      }),
  );
  return {
    start() {
      started ??= new Promise<AddressInfo>((resolve, reject) => {
        server.once('error', reject);
        server.listen(cfg.port, cfg.host, () => {
          server.off('error', reject);
          const a = server.address() as AddressInfo;
          log.info({ event: 'egress_listening', host: a.address, port: a.port }, 'egress proxy listening');
          resolve(a);
        });
      });
      return started;
    },
    address: () => (server.listening ? (server.address() as AddressInfo) : null),
  };
}
