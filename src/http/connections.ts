import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Connection hygiene shared by every listener (data plane, health, metrics): the timers Node
 * enforces for us, and the caps Node does not have (per source IP), tracked on 'connection' so
 * that sockets which never become HTTP requests (raw TCP, a TLS handshake that never ends) are
 * counted, capped and closed at shutdown too.
 */
export interface ConnectionLimits {
  readonly maxConnections: number;
  readonly maxConnectionsPerIp: number;
}

export interface ListenerTimers {
  readonly headersTimeoutMs: number;
  /** Whole-request backstop (headers + body). */
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly maxHeaderBytes: number;
}

/** Options for http(s).createServer: Node enforces these itself. */
export function serverTimingOptions(t: ListenerTimers) {
  return {
    headersTimeout: t.headersTimeoutMs,
    requestTimeout: t.requestTimeoutMs,
    keepAliveTimeout: t.keepAliveTimeoutMs,
    maxHeaderSize: t.maxHeaderBytes,
    // Node sweeps for expired header/request timers every 30 s by default, so a 3 s headers timeout
    // held dribbling clients for up to 33 s. A quarter of the timeout (100 ms..1 s) bounds the
    // lateness; each sweep walks only the connections still reading a request.
    connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(t.headersTimeoutMs / 4))),
  };
}

export type RefusalReason = 'listener_cap' | 'source_ip_cap';

/** The listeners' metrics, registered once per registry (labels: listener name and a fixed set). */
export interface ListenerMetrics {
  refused(listener: string, reason: RefusalReason): void;
  protocolError(listener: string, code: string): void;
  tlsError(listener: string, reason: 'handshake_timeout' | 'handshake_failed'): void;
  bindOpen(listener: string, open: () => number): void;
}

export function createListenerMetrics(registry: Registry): ListenerMetrics {
  const refused = new Counter({
    name: 'gatehouse_connections_refused_total',
    help: 'Connections closed on accept because a connection cap was reached',
    labelNames: ['listener', 'reason'],
    registers: [registry],
  });
  const protocol = new Counter({
    name: 'gatehouse_protocol_errors_total',
    help: 'Requests refused by the listener before the pipeline (malformed HTTP, header overflow, slow headers)',
    labelNames: ['listener', 'code'],
    registers: [registry],
  });
  const tls = new Counter({
    name: 'gatehouse_tls_handshake_errors_total',
    help: 'TLS handshakes that failed or did not finish within server.handshakeTimeoutMs',
    labelNames: ['listener', 'reason'],
    registers: [registry],
  });
  const sources = new Map<string, () => number>();
  new Gauge({
    name: 'gatehouse_open_connections',
    help: 'Connections currently open, per listener',
    labelNames: ['listener'],
    registers: [registry],
    collect() {
      for (const [l, f] of sources) this.set({ listener: l }, f());
    },
  });
  return {
    refused: (listener, reason) => refused.inc({ listener, reason }),
    protocolError: (listener, code) => protocol.inc({ listener, code }),
    tlsError: (listener, reason) => tls.inc({ listener, reason }),
    bindOpen: (listener, open) => sources.set(listener, open),
  };
}

export interface ConnectionTracker {
  readonly open: number;
  /** Resolves once no connection is open (or at once when none is). */
  closed(): Promise<void>;
  /** Destroys every connection still open: the end of a drain. */
  destroyAll(): void;
}

export function trackConnections(
  server: Server,
  listener: string,
  limits: ConnectionLimits,
  metrics: ListenerMetrics,
): ConnectionTracker {
  const sockets = new Set<Socket>();
  const perIp = new Map<string, number>();
  let waiters: Array<() => void> = [];
  metrics.bindOpen(listener, () => sockets.size);
  server.on('connection', (socket: Socket) => {
    const ip = socket.remoteAddress ?? '';
    const n = perIp.get(ip) ?? 0;
    const reason: RefusalReason | null =
      sockets.size >= limits.maxConnections
        ? 'listener_cap'
        : n >= limits.maxConnectionsPerIp
          ? 'source_ip_cap'
          : null;
    if (reason !== null) {
      // Nothing has been read yet, so there is no request to answer: close at once.
      metrics.refused(listener, reason);
      socket.destroy();
      return;
    }
    sockets.add(socket);
    perIp.set(ip, n + 1);
    socket.once('close', () => {
      sockets.delete(socket);
      const left = (perIp.get(ip) ?? 1) - 1;
      if (left <= 0) perIp.delete(ip);
      else perIp.set(ip, left);
      if (sockets.size === 0 && waiters.length > 0) {
        const w = waiters;
        waiters = [];
        for (const f of w) f();
      }
    });
  });
  return {
    get open() {
      return sockets.size;
    },
    closed: () =>
      sockets.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve)),
    destroyAll() {
      for (const s of sockets) s.destroy();
    },
  };
}
