import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { GatehouseConfig } from '../config/schema/index.js';
import { resolveSecret } from '../config/secrets.js';
import { answerClientErrors } from './client-error.js';
import {
  type ConnectionTracker,
  type ListenerMetrics,
  serverTimingOptions,
  trackConnections,
} from './connections.js';

type ServerConfig = GatehouseConfig['server'];

export function hstsValue(s: ServerConfig): string | null {
  if (!s.tls) return null;
  let v = `max-age=${s.hsts.maxAgeSeconds}`;
  if (s.hsts.includeSubDomains) v += '; includeSubDomains';
  if (s.hsts.preload) v += '; preload';
  return v;
}

/** A bound-to-be listener with its connection tracker (caps, shutdown). */
export interface Listener {
  readonly name: string;
  readonly server: Server;
  readonly connections: ConnectionTracker;
}

export interface ListenerDeps {
  readonly metrics: ListenerMetrics;
  readonly logger: Logger;
}

/**
 * The data-plane listener: TLS 1.2+ with a strong cipher list and optional mTLS, or plain HTTP when
 * the operator asked for it. Node's own timers bound the TLS handshake, slow headers and idle
 * keep-alive connections; the body timer lives in the reader; caps and protocol errors are ours.
 */
export function createDataPlaneServer(
  s: ServerConfig,
  handler: RequestListener,
  deps: ListenerDeps,
  /** The listener's name in metrics and logs (the admin listener reuses this TLS/mTLS setup). */
  name = 'data',
): Listener {
  const timing = serverTimingOptions({
    headersTimeoutMs: s.headersTimeoutMs,
    // Backstop behind the body reader's own timer, so ours answers first with a proper error.
    requestTimeoutMs: s.headersTimeoutMs + s.bodyTimeoutMs + 5_000,
    keepAliveTimeoutMs: s.keepAliveTimeoutMs,
    maxHeaderBytes: s.maxHeaderBytes,
  });
  let server: Server;
  if (s.tls) {
    const t = s.tls;
    server = createHttpsServer(
      {
        ...timing,
        handshakeTimeout: s.handshakeTimeoutMs,
        cert: readFileSync(t.cert),
        key: resolvePem(t.key),
        minVersion: t.minVersion,
        ciphers: t.ciphers,
        honorCipherOrder: true,
        ca: t.clientCa ? readFileSync(t.clientCa) : undefined,
        requestCert: t.clientAuth !== 'none',
        rejectUnauthorized: t.clientAuth === 'required',
      },
      handler,
    );
    // With a listener attached, Node leaves closing the socket to us.
    server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      deps.metrics.tlsError(
        name,
        err.code === 'ERR_TLS_HANDSHAKE_TIMEOUT' ? 'handshake_timeout' : 'handshake_failed',
      );
      socket.destroy();
    });
  } else {
    server = createHttpServer(timing, handler);
  }
  server.maxRequestsPerSocket = s.maxRequestsPerSocket;
  answerClientErrors(server, { listener: name, hsts: hstsValue(s), ...deps });
  return { name, server, connections: trackConnections(server, name, s, deps.metrics) };
}

/** A key may be a file path or a secret reference holding PEM text. */
function resolvePem(ref: string): string | Buffer {
  if (ref.startsWith('${') || ref.startsWith('file:')) return resolveSecret(ref);
  return readFileSync(ref);
}

export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

export function urlOf(scheme: 'http' | 'https', a: AddressInfo): string {
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return `${scheme}://${host}:${a.port}`;
}
